"""Judging manifest lines against the rules in force on their date, by seam:

* :mod:`.items` — the line's item: resolved, classified, its facts and cache keys;
* :mod:`.nodes` — rule conditions prepared for cached evaluation;
* :mod:`.memo` — :class:`~.memo.JudgeMemo`, the caches under a judgement (fact classes, ...);
* :mod:`.findings` — the findings a judgement builds and their report order;
* :mod:`.judge` — :func:`~.judge.judge_line`, :func:`~.judge.judge_lines`,
  :class:`~.judge.LineJudge`.

Nothing is imported here, so that any one module can be imported without the others (the
party rules import :mod:`.items`, and :mod:`.judge` imports the party rules).
"""
