"""The mapping floor: what an activation shares and how each side sees it.

Scope (which schools, records and fields), the Privacy Shield (what leaves in disguise),
and each application's field map (the store's OneRoster shape <-> the application's own),
brought together as one `Sharing` per plan. The plan is the diff alone, fed by this floor;
apply carries out what the plan says, in the shape the plan says, without coming back here.
"""
