"""Operations the migrations that move a model between apps share.

A moved model keeps its table (renamed by the old app's migration) and its rows; its content
type is moved with it, so the permissions that groups hold on it, and the admin history that
points to it, follow the model instead of being recreated empty.
"""

from django.db import migrations


def move_content_type(*, model: str, from_app: str, to_app: str) -> migrations.RunPython:
    def relabel(old: str, new: str):
        def run(apps, schema_editor) -> None:
            content_types = apps.get_model("contenttypes", "ContentType").objects
            if not content_types.filter(app_label=new, model=model).exists():
                content_types.filter(app_label=old, model=model).update(app_label=new)

        return run

    return migrations.RunPython(relabel(from_app, to_app), relabel(to_app, from_app))
