"""Indexes for the search (PostgreSQL only): full text in the `simple` configuration, and trigrams of the folded text
so that partial-word and pre-reform matches (LIKE '%…%' on translate(lower(text))) do not scan every line."""

from django.db import migrations

# A frozen copy of the folding in portal.archive.search (an index serves only the very same expression).
FOLDED = "translate(lower(text), 'ѣіїѳѵёйàáâãäåèéêëìíîïòóôõöùúûüýÿçñ', 'еиифиеиaaaaaaeeeeiiiiooooouuuuyycn')"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS archive_transcription_fts ON archive_transcription "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS archive_transcription_folded_trgm ON archive_transcription "
        f"USING gin (({FOLDED}) gin_trgm_ops)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_transcription_fts")
        schema_editor.execute("DROP INDEX IF EXISTS archive_transcription_folded_trgm")


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_trigram_extension")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
