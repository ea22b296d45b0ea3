"""The saved-plan format: the JSON document of a plan, its checksum, and the file on disk.

Below `render`: the renderings may use it (the JSON rendering is this document), it never
uses them. A later seal (an HMAC over the document) belongs here too, in one place.

encode:  plan_dict, sealed, to_json, checksum        (passport.planfile.document)
disk:    save_plan, write_plan, read_plan, save_to   (passport.planfile.disk)
masking: which fields any output leaves out          (passport.planfile.masking)
"""

from __future__ import annotations

from passport.planfile.disk import SavedPlan, SaveTo, read_plan, save_plan, save_to, write_plan
from passport.planfile.document import checksum, plan_dict, sealed, to_json

__all__ = [
    "SaveTo",
    "SavedPlan",
    "checksum",
    "plan_dict",
    "read_plan",
    "save_plan",
    "save_to",
    "sealed",
    "to_json",
    "write_plan",
]
