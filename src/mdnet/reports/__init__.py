"""Reports: queries in, frozen rows out. Nothing here prints."""
