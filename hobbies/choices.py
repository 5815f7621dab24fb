"""The hobby engine's named choices, spelled once: a leaf module (Django's enums only, nothing of the project), so
core/settings.py can validate HOBBY_SELECTION_POLICY against it without loading the app, DRF or anything that reads
settings while they are being made. The values are what the database and the JSON hold."""

from __future__ import annotations

from django.db import models


class SelectionPolicy(models.TextChoices):
    """How the scheduler picks an idle sub-agent's next hobby (HobbyConfig.selection_policy)."""

    WEAKNESS = "weakness", "the originals' weakness-weighted draw"
    REWARD = "reward", "Thompson sampling on measured gain and insight reward"
