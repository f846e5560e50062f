"""The feed pipeline: what the desk reads from the web, and how.

- ``http``: the one HTTP client (polite, bounded by the wall clock, never led
  into private networks);
- ``feeds``: feed bytes to clean entries;
- ``html``: HTML to plain text through a real parser;
- ``fetch``: fetching every source (and the articles behind thin items) into
  the queue, one recorded outcome per source;
- ``extract``: an article page to its main text and metadata (trafilatura);
- ``articles``: the article text stored beside the feed text, and the one
  answer to "which text do the checks use";
- ``opml``: OPML import and export of the source list.
"""
