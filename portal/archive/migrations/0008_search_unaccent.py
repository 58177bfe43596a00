"""The search folds accents with unaccent (PostgreSQL only; a no-op on SQLite): `skoropis_fold(text)` is
translate(unaccent(lower(text)), …) as one IMMUTABLE function (unaccent alone is only STABLE, so it cannot be indexed),
and a trigram index on it serves partial words (LIKE) and misspelt words (the <% operator). It replaces the index
of 0003 on the folding without unaccent."""

from django.db import migrations

FROM = "ѣіїѳѵёйàáâãäåèéêëìíîïòóôõöùúûüýÿçñ"  # a frozen copy of portal.archive.search_text's table
TO = "еиифиеиaaaaaaeeeeiiiiooooouuuuyycn"
OLD_FOLDED = f"translate(lower(text), '{FROM}', '{TO}')"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:  # the schema unaccent went into (its dictionary is named)
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION skoropis_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT translate({schema}.unaccent('{schema}.unaccent'::regdictionary, lower($1)), '{FROM}', '{TO}') $$"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS archive_transcription_fold_trgm ON archive_transcription "
        "USING gin (skoropis_fold(text) gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS archive_transcription_folded_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS archive_transcription_folded_trgm ON archive_transcription "
        f"USING gin (({OLD_FOLDED}) gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS archive_transcription_fold_trgm")
    schema_editor.execute("DROP FUNCTION IF EXISTS skoropis_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_document_source_metadata")]
    operations = [migrations.RunPython(forwards, backwards)]
