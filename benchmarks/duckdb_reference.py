"""An independent DuckDB SQL reference for the core monthly columns, written from the
definitions in ``docs/metrics.md`` (not from the library's code):

- months: from the first spell's month to the extract date's month; each month's
  reference date is its last day, or the extract date in the extract's month;
- headcount / fte: spells covering the reference date (count, Σ FTE);
- fte_days_available: Σ FTE × calendar days of the spell in the month (open spells run
  to the extract date);
- fte_days_lost: Σ FTE × calendar days of an episode that fall in the month and inside a
  spell of the same staff ID (ongoing episodes run to the extract date);
- starters: spells with no spell of the same staff ID ending the day before;
- leavers: closed spells with no spell of the same staff ID starting the next day.

Run as its own process (the benchmark times it whole):

    python benchmarks/duckdb_reference.py DATA_DIR --extract-date 2025-03-14 --out FILE.csv

DATA_DIR holds ``staff_spells`` and ``absence_episodes`` as ``.csv`` (template layout) or
``.parquet``. DuckDB uses every core; it reads, computes and writes in one query plan.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

QUERY = """
WITH
sp AS (
    SELECT staff_id, fte, CAST(start_date AS DATE) AS f, CAST(end_date AS DATE) AS end_date,
           LEAST(COALESCE(CAST(end_date AS DATE), $x), $x) AS l
    FROM {spells}
),
ep AS (
    SELECT staff_id, CAST(start_date AS DATE) AS ef,
           LEAST(COALESCE(CAST(end_date AS DATE), $x), $x) AS el
    FROM {episodes}
),
months AS (
    SELECT CAST(m AS DATE) AS m_first, CAST(last_day(m) AS DATE) AS m_last,
           LEAST(CAST(last_day(m) AS DATE), $x) AS ref
    FROM range(CAST(date_trunc('month', (SELECT min(f) FROM sp)) AS TIMESTAMP),
               CAST($x AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS t(m)
),
available AS (
    SELECT mo.m_first,
           sum(sp.fte * (date_diff('day', GREATEST(sp.f, mo.m_first),
                                   LEAST(sp.l, mo.m_last)) + 1)) AS fte_days_available
    FROM sp JOIN months mo ON sp.f <= mo.m_last AND sp.l >= mo.m_first
    GROUP BY 1
),
in_post AS (
    SELECT mo.m_first, count(*) AS headcount, sum(sp.fte) AS fte
    FROM sp JOIN months mo ON sp.f <= mo.ref AND sp.l >= mo.ref
    GROUP BY 1
),
pieces AS (
    SELECT sp.fte, GREATEST(ep.ef, sp.f) AS pf, LEAST(ep.el, sp.l) AS pl
    FROM ep JOIN sp ON ep.staff_id = sp.staff_id
    WHERE GREATEST(ep.ef, sp.f) <= LEAST(ep.el, sp.l)
),
lost AS (
    SELECT mo.m_first,
           sum(p.fte * (date_diff('day', GREATEST(p.pf, mo.m_first),
                                  LEAST(p.pl, mo.m_last)) + 1)) AS fte_days_lost
    FROM pieces p JOIN months mo ON p.pf <= mo.m_last AND p.pl >= mo.m_first
    GROUP BY 1
),
starters AS (
    SELECT CAST(date_trunc('month', s.f) AS DATE) AS m_first, count(*) AS starters
    FROM sp s ANTI JOIN sp p ON p.staff_id = s.staff_id AND p.end_date = s.f - 1
    GROUP BY 1
),
leavers AS (
    SELECT CAST(date_trunc('month', s.end_date) AS DATE) AS m_first, count(*) AS leavers
    FROM sp s ANTI JOIN sp n ON n.staff_id = s.staff_id AND n.f = s.end_date + 1
    WHERE s.end_date IS NOT NULL AND s.end_date <= $x
    GROUP BY 1
)
SELECT strftime(mo.m_first, '%Y-%m') AS month,
       COALESCE(i.headcount, 0) AS headcount,
       COALESCE(i.fte, 0) AS fte,
       COALESCE(a.fte_days_available, 0) AS fte_days_available,
       COALESCE(lo.fte_days_lost, 0) AS fte_days_lost,
       COALESCE(st.starters, 0) AS starters,
       COALESCE(le.leavers, 0) AS leavers
FROM months mo
LEFT JOIN in_post i USING (m_first)
LEFT JOIN available a USING (m_first)
LEFT JOIN lost lo USING (m_first)
LEFT JOIN starters st USING (m_first)
LEFT JOIN leavers le USING (m_first)
ORDER BY mo.m_first
"""


def source(data_dir: Path, name: str) -> str:
    """A DuckDB table function reading one table (Parquet preferred)."""
    parquet, csv = data_dir / f"{name}.parquet", data_dir / f"{name}.csv"
    if parquet.is_file():
        return f"read_parquet('{parquet}')"
    types = "{'start_date': 'DATE', 'end_date': 'DATE', 'staff_id': 'VARCHAR'"
    types += ", 'fte': 'DOUBLE'}" if name == "staff_spells" else "}"
    return f"read_csv('{csv}', header = true, types = {types})"


def reference_table(data_dir: str | Path, extract_date: str,
                    con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyRelation:
    con = con or duckdb.connect()
    data_dir = Path(data_dir)
    sql = QUERY.format(spells=source(data_dir, "staff_spells"),
                       episodes=source(data_dir, "absence_episodes"))
    return con.execute(sql.replace("$x", f"DATE '{extract_date}'"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--extract-date", required=True)
    p.add_argument("--out", required=True, type=Path)
    a = p.parse_args()
    con = duckdb.connect()
    sql = QUERY.format(spells=source(a.data_dir, "staff_spells"),
                       episodes=source(a.data_dir, "absence_episodes"))
    sql = sql.replace("$x", f"DATE '{a.extract_date}'")
    con.execute(f"COPY ({sql}) TO '{a.out}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
