"""What the benchmark scripts in bench/ share.

- ``cli``: their common options, the choice of database and the Django set-up;
- ``database``: the throw-away databases (reset with the PostgreSQL guard,
  migrations, ANALYZE, a fresh seeded database per size);
- ``data``: realistic names, companies and cities, and a lead CSV;
- ``bulk``: fast loading of generated rows (``Inserter``);
- ``seed``: the users every data set has, and the page benchmark's contacts,
  leads and history;
- ``measure``: timing pages (medians, p90, CPU, query counts, SQL time);
- ``report``: the verdict against the targets, the saved results and their
  Markdown tables.

The scripts put the repository's root on ``sys.path`` and import
``bench.lib``; the modules import Django only inside functions, after
``cli.setup_django``.
"""
