from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0008_search_unaccent"),
    ]

    operations = [
        migrations.AddField(
            model_name="page",
            name="segmentation_edited",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
