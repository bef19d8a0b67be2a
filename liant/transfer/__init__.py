"""`liant export` and `liant import`: members, posts and mentions of one workspace, as CSV or
JSON Lines, for operators moving data between installs, tools and spreadsheets.

Export streams (a server-side cursor read in chunks, one row written at a time), so a million
rows take the memory of one chunk. Import goes through the code the web app uses for the same
data: the members CSV import, the draft-post creation of the API, listening's ingestion.
"""
