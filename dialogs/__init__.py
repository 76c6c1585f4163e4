"""Dialog content shipped with kneebot. `DEFAULT` is the knee-pain check."""

from importlib.resources import files

DEFAULT = files(__name__) / "knee_pain.yaml"
