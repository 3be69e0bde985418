"""What the public pages' tests share: the pages to walk and how a reader's text is read."""

import re
from html import unescape

INFORMATION_PAGES = ("dystonia", "diagnosis", "treatments", "selective-denervation",
                     "referral-and-funding", "sources")
SITE_CODES = ("lnp-harley-street", "harley-street-clinic", "portland-hospital",
              "lister-hospital", "shard-outpatients", "london-bridge-hospital")
PUBLIC_PATHS = ("/", "/information/", *(f"/information/{slug}/" for slug in INFORMATION_PAGES),
                "/sites/", *(f"/sites/{code}/" for code in SITE_CODES), "/stories/",
                "/search/?q=neck")


def main_html(body: str) -> str:
    return re.search(r"<main[^>]*>(.*)</main>", body, re.S).group(1)


def words(html: str) -> str:
    """The text of some HTML as a reader reads it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def prose(body: str) -> str:
    """The main content's prose: without tables, address blocks and lists of sources
    (marked collis-not-prose), which no readability formula is meant for."""
    html = main_html(body)
    html = re.sub(r'<(\w+)[^>]*class="[^"]*collis-not-prose[^"]*"[^>]*>.*?</\1>', " ", html,
                  flags=re.S)
    # Each heading and list item reads as a sentence of its own.
    html = re.sub(r"</(h\d|li|p|dt|dd)>", ". ", html)
    return re.sub(r"\.(\s*\.)+", ".", words(html))
