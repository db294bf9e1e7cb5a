"""XML-RPC as a given user: set-up steps a scenario does not show in the browser."""
import xmlrpc.client


class Rpc(object):
    def __init__(self, url, db):
        self.url, self.db = url, db
        self._uids = {}

    def uid(self, login, password=None):
        if login not in self._uids:
            common = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common", allow_none=True)
            uid = common.authenticate(self.db, login, password or login, {})
            assert uid, "%s cannot log in" % login
            self._uids[login] = uid
        return self._uids[login]

    def call(self, login, model, method, *args, **kwargs):
        models = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/object", allow_none=True)
        return models.execute_kw(self.db, self.uid(login), login, model, method, list(args), kwargs)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        return self.call("admin", "ir.model.data", "xmlid_to_res_id", "%s.%s" % (module, name), True)

    def read_one(self, login, model, record_id, fields):
        return self.call(login, model, "read", [record_id], fields)[0]

    def count_as_the_books_say(self, cycle_id, domain=()):
        """Each counter counts their uncounted lines of a cycle (within domain) as the books say.

        The book quantity is hidden from counters: the administrator reads it, the
        counter writes the count (so the line is counted by them). Returns how many.
        """
        lines = self.call("admin", "foreman.cycle.count.line", "search_read",
                          [("cycle_id", "=", cycle_id), ("is_counted", "=", False)] + list(domain),
                          fields=["user_id", "system_qty"])
        logins = {user["id"]: user["login"] for user in self.call(
            "admin", "res.users", "read", list({line["user_id"][0] for line in lines}), ["login"])}
        todo = {}
        for line in lines:
            todo.setdefault((logins[line["user_id"][0]], line["system_qty"]), []).append(line["id"])
        for (login, qty), ids in sorted(todo.items()):
            self.call(login, "foreman.cycle.count.line", "write", ids, {"counted_qty": qty})
        return len(lines)
