-- The short form of each stored report (store.SummarizeReport), so a
-- listing of many pharmacies and months reads a few hundred bytes per
-- group instead of the whole report. NULL for rows stored before this
-- migration: Migrate fills them in Go right after.
ALTER TABLE reconciliations ADD COLUMN summary jsonb;
