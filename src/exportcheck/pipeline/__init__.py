"""The streaming ``check``'s fast path: a CSV manifest straight to JSON Lines.

A million-line look-back check cannot afford, per line, a line object, a result object and a
whole JSON rendering, nor even a pass of Python statements per row. The reader hands over
rows in batches (:class:`RowBatch`: lists of cells), taken apart into columns once, and each
batch goes through a few stages, each one C-level ``map`` of a cache's ``get`` over all its
rows (no key built per row where a table can be reached through an object the row already
has); only the misses are filled in Python, one by one:

* the ship date, per raw value: its date, rule-set epoch and list epoch;
* per (raw item cells, classification span): the classified item (and its JSON text) and
  its :meth:`LineJudge.item_class` (in a table per span, reached through the day, keyed by
  the row's item cells joined: the cells are parsed by the reader's
  :class:`FastLineBuilder` only when the profile is not known, and once);
* the destination, per (raw cell, rule-set epoch): its code, JSON text and the number of its
  :meth:`LineJudge.destination_signature` (in a table per epoch, reached through the day);
* the item findings (sorted, their status and JSON text) per (item class, destination
  signature), in a table per class reached through the profile; computed by
  :class:`LineJudge` the first time per (:meth:`LineJudge.profile` signature, destination
  signature), since items of other classes may share a signature. An item of a kind other
  than 'rules' has a table of its own, which adds its 'unclassified' or 'classification'
  finding, if any, to its class's;
* the quantity and unit value cells of the whole batch, checked at once;
* the rules that test the parties (headquarters, ownership; see
  :mod:`exportcheck.engine.partyrules`): per item profile and epoch, its party signature
  (most items have none: no party rule can reach them, and their rows skip the rest); per
  party column and party epoch, each raw cell's fact; per day, the party set of the facts
  (and of which columns name the same party); then the findings per (party signature,
  destination, party set);
* per raw party cell, whether it can have findings at all (most names match nothing on any
  date for any country); if so, its findings per (column, raw name, destination, list
  epoch), by :class:`PartyScreening`.

The lines are then rendered all at once from those parts and the cells
(:func:`row_line_renderer`). Any row these caches cannot vouch for (an unknown destination,
a bad date, ECCN or number) takes the general path: :func:`build_line`,
:meth:`LineJudge.judge`, :meth:`LineEncoder.line`; so does every record the reader gives as
a record rather than in a batch (a short row, an unparsable one). The output is the same
bytes as the general path's for every line (``tests/scale`` proves it against
``--no-cache``). No I/O of its own: the caller hands in the reader's records and writes the
text it yields.
"""

from __future__ import annotations

from exportcheck.pipeline.parts import RowSource
from exportcheck.pipeline.stream import CsvToJsonl

__all__ = ["CsvToJsonl", "RowSource"]
