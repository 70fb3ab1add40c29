"""``fairmend datasets list|show|export``: the real datasets bundled with fairmend."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json


@click.group()
def datasets() -> None:
    """Browse the bundled real datasets (UCI Adult, German credit; CC BY 4.0)."""


@datasets.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(as_json: bool) -> None:
    """List bundled datasets with their size, label, protected attributes and citation."""
    from fairmend.datasets import list_datasets

    rows = list_datasets()
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        protected = ",".join(row["protected"])
        click.echo(
            f"{row['name']:<8} {row['n_rows']:>7,} rows  label={row['label']:<7} protected={protected:<14} "
            f"{row['license']}  {row['citation_short']} doi:{row['citation']['doi']}"
        )
    click.echo(f"{len(rows)} dataset(s)", err=True)


@datasets.command("show")
@click.argument("name")
@click.option("--rows", "n_rows", type=click.IntRange(0, 100), default=5, show_default=True,
              help="How many first rows to print.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print metadata and the first rows as JSON.")
def show(name: str, n_rows: int, as_json: bool) -> None:
    """Show one bundled dataset: metadata, group sizes and its first rows."""
    from fairmend.datasets import load_dataset

    data = load_dataset(name)
    meta = data.metadata()
    head = data.frame.head(n_rows)
    if as_json:
        meta["head"] = head.to_dict(orient="records")
        echo_json(meta)
        return
    click.echo(f"{data.name}: {data.n_rows:,} rows x {data.frame.shape[1]} columns")
    rate = meta["favourable_rate"]
    click.echo(f"label: {data.label} (favourable = {data.favourable_label}, rate {rate:.3f})")
    for column, counts in meta["groups"].items():
        listed = ", ".join(f"{value}={count:,}" for value, count in counts.items())
        click.echo(f"protected {column}: {listed}")
    click.echo(f"license: {data.license}")
    cite = data.citation
    click.echo(f"cite: {cite.short()}, {cite.title}, {cite.venue}, doi:{cite.doi}")
    click.echo(f"source md5: {', '.join(f'{k} {v}' for k, v in data.source_md5.items())}")
    click.echo(data.description)
    if n_rows:
        click.echo("")
        click.echo(head.to_string(max_cols=None, max_colwidth=18))


@datasets.command("export")
@click.argument("name")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace an existing file.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def export(name: str, path: str, overwrite: bool, as_json: bool) -> None:
    """Write bundled dataset NAME to PATH (.csv, .csv.gz, .parquet or .pq), atomically."""
    from fairmend.datasets import load_dataset
    from fairmend.io import export_table

    data = load_dataset(name)
    target = export_table(data.frame, path, overwrite=overwrite)
    info = {"dataset": data.name, "path": str(target), "n_rows": data.n_rows, "columns": list(data.frame.columns)}
    if as_json:
        echo_json(info)
        return
    click.echo(f"wrote {data.name} ({data.n_rows:,} rows, {data.frame.shape[1]} columns) to {target}")
