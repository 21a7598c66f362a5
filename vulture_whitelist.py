"""Names vulture (`make lint`) would call dead that are used from outside Python's view.

Each is read or called by a library, by name: a hook it calls, an attribute it reads, a
protocol method, an enum member made by value. Reviewed one by one (issue 16); the
fields and constants used nowhere were removed instead of listed. A new dead name fails
`make lint`: remove it, or list it here with what uses it.
"""

# ruff: noqa
# Textual: ScreenResume's flag, read by Screen's own handler (screens/widgets/wizard_screen.py)
_.refresh_styles
# Textual: Widget.mouse_hover, read by its :hover pseudo-class (tests/wizard/test_prestyled_button.py)
_.mouse_hover
# Textual: App's exit code, set as adue handles an app error (tui/app.py), read by return_code
_._return_code
# uvicorn: Server's stop flag, read by its serve loop (the sandbox, test servers)
_.should_exit
# uvicorn: the h11 cycle's flag, read as the sandbox drops a connection (tui/sandbox/graph_app.py)
_.disconnected
# kiota: ResponseHandler's method, called by the request adapter (tui/graph/response_capture.py)
_.handle_response_async
# importlib: a loader's method, called by the import system (tui/graph/deferred_azure_core.py)
_.create_module
# kiota: RequestInformation's HTTP method, read by the request adapter (tests/sandbox/sdk.py)
_.http_method
# html.parser.HTMLParser's callbacks (tests/guide/test_escaping.py)
_.handle_starttag
_.handle_endtag
_.handle_data
# http.server and socketserver hooks of the TLS test server (tests/reliability/test_token_hosts.py)
do_POST
_.log_message
_.get_request
_.handle_error
# a text stream's method: SafeStream stands in for sys.stdout/stderr (tui/text.py)
_.writelines
# AppIntent member, made by value when an app assignment with that intent is read
# (tui/graph/parse.py): the assignment goes back as read
AVAILABLE_WITHOUT_ENROLLMENT
