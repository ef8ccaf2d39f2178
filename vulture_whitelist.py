"""Names vulture reports as unused that something outside our code calls or reads.

`.ci/run` passes this file to vulture beside src/; each line below marks a name as used.
"""

# HTMLParser calls handle_starttag(tag, attrs): the parameter is part of the signature it
# calls, even where the collector only looks at the tag.
attrs  # noqa: B018, F821  (src/takethelead/connectors/markup.py)
