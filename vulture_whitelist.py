"""Names vulture (``[tool.vulture]`` in pyproject.toml, run by .ci/run) cannot see used, each with
the reason. Anything else it reports at 60 % confidence is dead code: delete it."""

from __future__ import annotations

from types import SimpleNamespace

_ = SimpleNamespace()

# Read by the Jinja templates of themes/default, which vulture does not read.
_.country_name  # outlets.html: an outlet's country in the page language
_.current  # LanguageFilter.current: list.html marks the filter shown
_.downloads  # research.Helpers.downloads: _citation.html lists the citation files
_.totals  # CoverageView.totals: _coverage.html's last row
_.has_year  # CoverageView.has_year: _coverage.html's legend
_.autonym  # Language.autonym: base.html's language switcher
_.article_for  # Urls.article_for: lists, feeds and article links send a reader to their page

# Set for libraries that read them.
_.validateLink  # markdown-it-py calls MarkdownIt.validateLink on every link
_.find_class  # pickle.Unpickler.find_class: refuses classes in a parse-cache pack
_.daemon_threads  # socketserver.ThreadingMixIn
_.request_queue_size  # socketserver.TCPServer
_.block_on_close  # socketserver.ThreadingMixIn
_.address_family  # socketserver.TCPServer (IPv6 addresses)
_.process_request  # socketserver.BaseServer
_.protocol_version  # http.server.BaseHTTPRequestHandler
_.sys_version  # http.server.BaseHTTPRequestHandler
_.version_string  # http.server.BaseHTTPRequestHandler
_.log_message  # http.server.BaseHTTPRequestHandler
_.connect  # http.client.HTTPConnection.connect: fetch._Pinned connects to the checked address
_.do_HEAD  # http.server.BaseHTTPRequestHandler
_.do_GET  # http.server.BaseHTTPRequestHandler
_.close_connection  # http.server.BaseHTTPRequestHandler
_.on_any_event  # watchdog.events.FileSystemEventHandler

# Read by benchmarks/serve_latency.py, which measures the preview from outside.
_.last_outcome
_.cpu_seconds
