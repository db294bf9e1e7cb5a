"""What a person does in Odoo 11's web client, as selenium steps with explicit waits.

Selectors use the web client's stable attributes: field widgets' name=, buttons' name=,
menus' data-menu-xmlid=, the status bar, breadcrumbs and list headers' field names.
"""
import os
import re
import time

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT = 30

IDLE_JS = """
if (document.readyState !== 'complete') { return false; }
var loading = document.querySelector('.o_loading');
if (loading && window.getComputedStyle(loading).display !== 'none') { return false; }
return !document.querySelector('.blockUI');
"""

# index of a list column, from the field name its header carries (jQuery data, not an attribute)
COLUMN_JS = """
var headers = arguments[0].querySelectorAll('thead th');
for (var i = 0; i < headers.length; i++) {
    if (window.jQuery(headers[i]).data('name') === arguments[1]) { return i; }
}
return -1;
"""


def _text(element):
    """What the element shows: its text, or the value of the input it is (or holds)."""
    if element.tag_name in ("input", "textarea", "select"):
        return (element.get_attribute("value") or "").strip()
    text = re.sub(r"\s+", " ", element.text or "").strip()
    if not text:
        inputs = element.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]):not([type=radio])")
        if len(inputs) == 1:
            return (inputs[0].get_attribute("value") or "").strip()
    return text


class UI(object):
    def __init__(self, driver, url, artifacts, downloads=None, screenshots=None):
        self.driver, self.url, self.artifacts = driver, url, artifacts
        self.downloads, self.screenshots = downloads, screenshots
        self.user = None

    # ------------------------------------------------------------------
    # waiting and finding
    # ------------------------------------------------------------------
    def wait(self, condition, timeout=TIMEOUT, message=""):
        """Wait until condition(driver) is truthy; StaleElement counts as 'not yet'."""
        def attempt(driver):
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(attempt, message)

    def idle(self, timeout=TIMEOUT, settle=0.2):
        """No RPC in flight (Odoo's 'Loading' indicator hidden, UI not blocked) for settle seconds.

        An action makes several RPCs one after the other (action, views, records): idle
        must hold a moment to mean the screen is done.
        """
        deadline, since = time.time() + timeout, None
        while True:
            if self.driver.execute_script(IDLE_JS):
                since = since or time.time()
                if time.time() - since >= settle:
                    return
            else:
                since = None
            if time.time() > deadline:
                raise AssertionError("the web client stayed busy for %ss" % timeout)
            time.sleep(0.05)

    def all(self, css, within=None):
        return [el for el in (within or self.driver).find_elements(By.CSS_SELECTOR, css) if el.is_displayed()]

    def find(self, css, within=None, timeout=TIMEOUT, text=None):
        """The first visible element matching css (and containing text), once there is one."""
        def found(_driver):
            for element in self.all(css, within):
                if text is None or text in _text(element):
                    return element
            return None
        return self.wait(found, timeout, "no visible %s%s" % (css, " with %r" % text if text else ""))

    def gone(self, css, timeout=TIMEOUT):
        self.wait(lambda d: not self.all(css), timeout, "%s is still shown" % css)

    def click(self, css, within=None, text=None, timeout=TIMEOUT):
        for attempt in range(5):
            try:
                element = self.find(css, within, timeout, text)
                self.wait(lambda d: element.is_enabled(), timeout, "%s stays disabled" % css)
                self._click(element)
                break
            except StaleElementReferenceException:
                # re-rendered between finding and clicking (a dropdown filled by an RPC): again
                if attempt == 4:
                    raise
        self.idle()
        return element

    def _click(self, element):
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except StaleElementReferenceException:
            raise
        except WebDriverException:
            # covered for a moment (a tooltip, an animation): click it as the page would
            self.driver.execute_script("arguments[0].click();", element)

    def texts(self, css, within=None):
        return [_text(element) for element in self.all(css, within)]

    def wait_text(self, css, expected, timeout=TIMEOUT):
        """Wait until the element shows exactly (or, for a regex, matches) the expected text."""
        def shows(_driver):
            shown = [_text(el) for el in self.all(css)]
            if hasattr(expected, "search"):
                return any(expected.search(text) for text in shown)
            return expected in shown
        try:
            self.wait(shows, timeout)
        except WebDriverException:
            raise AssertionError("%s shows %r, not %r" % (css, self.texts(css), getattr(expected, "pattern", expected)))

    # ------------------------------------------------------------------
    # session
    # ------------------------------------------------------------------
    def login(self, login, password=None):
        """Log in through Odoo's login page (logging out whoever was logged in)."""
        self.driver.get(self.url + "/web/session/logout")
        self.driver.get(self.url + "/web/login")
        self.find("input#login").clear()
        self.find("input#login").send_keys(login)
        self.find("input#password").send_keys(password or login)
        self.click("form.oe_login_form button[type=submit]")
        self.find(".o_web_client #oe_main_menu_navbar", timeout=90)  # the first page builds the web assets
        self.idle(timeout=90)
        self.user = login

    def user_name(self):
        return _text(self.find(".oe_topbar_name"))

    def menu(self, *xmlids):
        """Click through menus by their XML ids: the app in the top bar, then the left menu."""
        for xmlid in xmlids:
            shown = self.all(".o_main_content .o_content > *")
            self.click('a[data-menu-xmlid="%s"]' % xmlid)
            if shown:  # the new action replaces what was shown
                self.wait_closed(shown[0], "menu %s did not open its action" % xmlid)
        self.idle()

    def breadcrumbs(self):
        return self.texts(".o_control_panel .breadcrumb li")

    def save_artifacts(self, name):
        """A screenshot and the HTML of the current page, for a failing test."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        path = os.path.join(self.artifacts, safe + ".png")
        try:
            self.driver.save_screenshot(path)
            with open(os.path.join(self.artifacts, safe + ".html"), "w") as html:
                html.write(self.driver.page_source)
        except WebDriverException:
            return None
        return path

    def screenshot(self, name):
        """With FOREMAN_SCREENSHOTS=1, a screenshot for the addon's README (static/description)."""
        if not self.screenshots:
            return None
        self.idle()
        time.sleep(0.3)  # let animations (dropdowns, dialogs fading in) settle
        path = os.path.join(self.screenshots, name)
        self.driver.save_screenshot(path)
        return path

    # ------------------------------------------------------------------
    # form views
    # ------------------------------------------------------------------
    # Odoo 11 renders buttons without their method name: they are found by their label
    def buttons(self, label, within=".o_main_content .o_form_view"):
        return [button for button in self.all(within + " button") if _text(button) == label]

    def button(self, label, within=".o_main_content .o_form_view"):
        """Click the button of the current form (header, button box or dialog) with this label."""
        button = self.wait(lambda d: (self.buttons(label, within) or [None])[0],
                           message="no button %r in %s" % (label, within))
        self._click(button)
        self.idle()
        return button

    def has_button(self, label, within=".o_main_content .o_form_view"):
        return bool(self.buttons(label, within))

    def confirm(self):
        """Press OK on the confirmation dialog a button asked for."""
        dialog = self.find(".modal.in .modal-dialog")
        self._click(self.find(".modal-footer .btn-primary", within=dialog))
        self.wait_closed(dialog, "the confirmation stayed open")
        self.idle()

    def wait_closed(self, element, message):
        def closed(_driver):
            try:
                return not element.is_displayed()
            except StaleElementReferenceException:  # removed from the page
                return True
        WebDriverWait(self.driver, TIMEOUT, poll_frequency=0.1).until(closed, message)

    def statusbar(self):
        return _text(self.find(".o_form_view .o_statusbar_status .btn-primary"))

    def wait_statusbar(self, state):
        self.wait_text(".o_form_view .o_statusbar_status .btn-primary", state)

    def field(self, name, within=".o_main_content .o_form_view"):
        return _text(self.find('%s .o_field_widget[name="%s"]' % (within, name)))

    def wait_field(self, name, expected, within=".o_main_content .o_form_view"):
        self.wait_text('%s .o_field_widget[name="%s"]' % (within, name), expected)

    def stat_button(self, label):
        def found(_driver):
            for button in self.all(".o_main_content .oe_button_box .oe_stat_button"):
                if label in self.texts(".o_stat_text", within=button):
                    return button
            return None
        return self.wait(found, message="no stat button %r" % label)

    def stat(self, label):
        """The figure of a stat button: '3' of '3 Discrepancies'."""
        return _text(self.stat_button(label).find_element(By.CSS_SELECTOR, ".o_stat_value"))

    def has_stat(self, label):
        return any(label in self.texts(".o_stat_text", within=button)
                   for button in self.all(".o_main_content .oe_button_box .oe_stat_button"))

    def click_stat(self, label):
        self._click(self.stat_button(label))
        self.idle()

    def edit(self):
        self.click(".o_form_buttons_view .o_form_button_edit")
        self.find(".o_form_view.o_form_editable")

    def save(self):
        self.click(".o_form_buttons_edit .o_form_button_save")
        self.find(".o_form_view.o_form_readonly")

    def type_into(self, name, value, within=".o_form_view"):
        field = self.find('%s .o_field_widget[name="%s"]' % (within, name))
        element = field if field.tag_name in ("input", "textarea") else field.find_element(
            By.CSS_SELECTOR, "input, textarea")
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.DELETE)
        element.send_keys(str(value))
        return element

    def select(self, name, label, within=".o_form_view"):
        Select(self.find('%s select.o_field_widget[name="%s"]' % (within, name))).select_by_visible_text(label)
        self.idle()

    def many2one(self, name, search, choice=None, within=".o_form_view"):
        """Type into a many2one and pick the suggestion that contains choice (or search)."""
        widget = self.find('%s .o_field_widget[name="%s"]' % (within, name))
        field = widget if widget.tag_name == "input" else widget.find_element(By.CSS_SELECTOR, "input")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(search)
        self._click(self.find("ul.ui-autocomplete li a", text=choice or search))
        self.idle()

    def radio(self, name, label, within=".o_form_view"):
        self._click(self.find('%s .o_field_widget[name="%s"] label' % (within, name), text=label))
        self.idle()

    def chatter_messages(self):
        return self.texts(".o_thread_message .o_thread_message_content")

    def notifications(self):
        return self.texts(".o_notification")

    def dialog_text(self):
        return _text(self.find(".modal.in .modal-body"))

    def close_dialog(self):
        dialog = self.find(".modal.in .modal-dialog")
        self._click(self.find(".modal-footer .btn", within=dialog))
        self.wait_closed(dialog, "the dialog stayed open")
        self.idle()

    # ------------------------------------------------------------------
    # list views
    # ------------------------------------------------------------------
    def rows(self):
        return self.all(".o_main_content .o_list_view tbody tr.o_data_row")

    def wait_rows(self, count):
        try:
            self.wait(lambda d: len(self.rows()) == count)
        except WebDriverException:
            raise AssertionError("the list shows %d rows, not %d: %s" % (
                len(self.rows()), count, [_text(row) for row in self.rows()]))

    def row(self, *texts):
        """The list row that shows every one of the texts."""
        def found(_driver):
            for row in self.rows():
                shown = _text(row)
                if all(text in shown for text in texts):
                    return row
            return None
        return self.wait(found, message="no row shows %s" % (texts,))

    def cell(self, row, name):
        table = row.find_element(By.XPATH, "ancestor::table[1]")
        index = self.driver.execute_script(COLUMN_JS, table, name)
        assert index >= 0, "the list has no column %s" % name
        return row.find_elements(By.CSS_SELECTOR, "td")[index]

    def cell_text(self, row, name):
        return _text(self.cell(row, name))

    def edit_cell(self, row, name, value):
        """Click a cell of an editable list, type the value and save the row."""
        self._click(self.cell(row, name))
        editor = self.find('tr.o_selected_row .o_field_widget[name="%s"]' % name)
        editor = editor if editor.tag_name == "input" else editor.find_element(By.CSS_SELECTOR, "input")
        editor.send_keys(Keys.CONTROL, "a")
        editor.send_keys(Keys.DELETE)
        editor.send_keys(str(value))
        self.save_list()

    def select_all_rows(self):
        self._click(self.find(".o_main_content .o_list_view thead .o_list_record_selector input"))
        self.idle()

    def action_menu(self, label):
        """Run an item of the list's Action menu on the selected rows."""
        self._click(self.find(".o_cp_sidebar .o_dropdown_toggler_btn", text="Action"))
        self._click(self.find(".o_cp_sidebar .dropdown-menu a", text=label))
        self.idle()

    def save_list(self):
        self.click(".o_list_buttons .o_list_button_save")
        self.gone("tr.o_selected_row")

    def open_row(self, *texts):
        row = self.row(*texts)
        # a read-only cell: clicking it opens the record
        self._click(row.find_elements(By.CSS_SELECTOR, "td.o_data_cell")[0])
        self.find(".o_main_content .o_form_view")
        self.idle()

    # ------------------------------------------------------------------
    # barcode scanner: a scanner types fast, then Enter, where no input has the focus
    # ------------------------------------------------------------------
    def scan(self, barcode):
        self.driver.execute_script("document.activeElement && document.activeElement.blur();")
        ActionChains(self.driver).send_keys(barcode + Keys.ENTER).perform()
        self.idle()
