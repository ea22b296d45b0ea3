"""Privacy as code: which application receives which data, against the signed agreement.

- `categories`: the data-element categories (after the NDPA's Exhibit B) and the category
  of each field, shipped as data and extended by the district;
- `inventory`: what one activation shares, field by field, with its treatment, read off
  the mapping floor's own `Sharing` (so it cannot disagree with what a plan sends);
- `compliance`: an inventory held against the activation's agreement;
- `audit`: what an apply actually sent, as counts per field, never values.

This package is pure: it reads plain data (activations, agreements, run records) and
returns plain data. `passport.config` loads the files and asks it; the runner wires it to
the store's history; `render` draws what it returns.
"""
