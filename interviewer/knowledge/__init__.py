"""Knowledge: parse the guide and curated files, index them in Chroma, retrieve."""
