"""Media built from the course's sources: pictures drawn as SVG, sent as PNG."""
