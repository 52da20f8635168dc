"""CKAN's helpers of every list of datasets (/dataset/, an OPD's and a group's page, the home page), chained to do
the same work once: a dataset's description excerpt with one Markdown converter per thread instead of a new one per
dataset, and the facets' links on one address of the page asked once per request instead of once per facet item;
on CKAN 2.12 a facet's items with their links made in one pass (satudata_facet_items, for our copy of CKAN's
snippets/facet_list.html: adapters.version_templates). What they return is CKAN's own, character for character;
nothing is kept beyond the request (request_cache.py)."""
from __future__ import annotations

import threading
from textwrap import shorten
from typing import Any, Callable, Optional
from urllib.parse import urlencode

import markdown

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, request_cache

__all__: list[str] = ["markdown_extract", "add_url_param", "remove_url_param", "satudata_facet_items"]

_converters = threading.local()


def _markdown(text: str) -> str:
    """markdown.markdown(text), on a converter made once per thread: CKAN's helper builds a new one (its parser and
    every pattern, about half a millisecond) for every dataset of a list. reset() between texts leaves no state of
    one text in the next (Python-Markdown's documented way to convert several texts)."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown()
    return converter.reset().convert(text)


@tk.chained_helper
def markdown_extract(next_helper: Callable[..., Any], text: str, extract_length: int = 190) -> Any:
    """h.markdown_extract as CKAN's (the description's text without its tags, shortened at a word), its Markdown
    converted by the thread's converter; what CKAN cleans the tags with differs by version (adapters.py)."""
    if not text:
        return next_helper(text, extract_length=extract_length)
    plain = adapters.html_as_text(_markdown(text))
    if not extract_length or len(plain) < extract_length:
        return plain
    return shorten(plain, width=extract_length, placeholder="...")


def _page_url() -> str:
    """The page's own address, as CKAN's _create_url_with_params makes it when given no controller, action or
    extras: once per request (a search page asks it for every facet item)."""
    def make() -> str:
        blueprint, view = tk.get_endpoint()
        controller = getattr(tk.g, "controller", blueprint)
        action = getattr(tk.g, "action", view)
        return tk.h.url_for(f"{controller}.{action}", **dict(tk.request.view_args or {}))
    return request_cache.once(("page_url",), make)


@tk.chained_helper
def add_url_param(next_helper: Callable[..., str], alternative_url: Optional[str] = None,
                  controller: Optional[str] = None, action: Optional[str] = None,
                  extras: Optional[dict[str, Any]] = None, new_params: Optional[dict[str, Any]] = None) -> str:
    """h.add_url_param; the page's own address (when no other is asked for) made once per request."""
    if not (alternative_url or controller or action or extras):
        alternative_url = _page_url()
    return next_helper(alternative_url=alternative_url, controller=controller, action=action, extras=extras,
                       new_params=new_params)


@tk.chained_helper
def remove_url_param(next_helper: Callable[..., str], key: Any, value: Optional[str] = None,
                     replace: Optional[str] = None, controller: Optional[str] = None, action: Optional[str] = None,
                     extras: Optional[dict[str, Any]] = None, alternative_url: Optional[str] = None) -> str:
    """h.remove_url_param; the page's own address (when no other is asked for) made once per request."""
    if not (alternative_url or controller or action or extras):
        alternative_url = _page_url()
    return next_helper(key, value=value, replace=replace, controller=controller, action=action, extras=extras,
                       alternative_url=alternative_url)


def _query_value(value: Any) -> Any:
    """A query parameter's value as CKAN's _url_with_params encodes it."""
    return value.encode("utf-8") if isinstance(value, str) else str(value)


def satudata_facet_items(name: str, search_facets: dict[str, Any], extras: Optional[dict[str, Any]] = None,
                         alternative_url: Optional[str] = None) -> list[dict[str, Any]]:
    """h.get_facet_items_dict(name, search_facets), each item with its `href` as CKAN's snippets/facet_list.html
    makes it: h.remove_url_param(name, item's name) for an active item, h.add_url_param(new_params={name: item's
    name}) for the others. The page's address and its query string (less `page`) are encoded once for the facet,
    not once per item; each item appends only its own parameter (urlencode joins pairs, each encoded alone)."""
    items = tk.h.get_facet_items_dict(name, search_facets)
    if extras and not alternative_url:  # another page's address (CKAN's bulk_process): CKAN's helpers, per item
        base = None
    else:
        base = alternative_url or _page_url()
        kept = [(key, _query_value(value)) for key, value in tk.request.args.items(multi=True) if key != "page"]
        base += "?" + (urlencode(kept) + "&" if kept else "")
    for item in items:
        if item["active"]:
            item["href"] = tk.h.remove_url_param(name, item["name"], extras=extras, alternative_url=alternative_url)
        elif base is None:
            item["href"] = tk.h.add_url_param(new_params={name: item["name"]}, extras=extras,
                                              alternative_url=alternative_url)
        else:
            item["href"] = base + urlencode([(name, _query_value(item["name"]))])
    return items
