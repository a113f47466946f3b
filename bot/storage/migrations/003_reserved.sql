-- Number 003 is taken by another change in progress; this file only keeps the
-- numbering without gaps until that migration lands. Replace it with that file.
SELECT 1;
