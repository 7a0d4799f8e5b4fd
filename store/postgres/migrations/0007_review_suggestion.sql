-- A review item of the progressive, count or date keeps what the reader
-- read there without accepting it (page.Suggestion: text, confidence,
-- source, why), for the reviewer. NULL: no suggestion (another field, an
-- empty box, or an item stored before this step).
ALTER TABLE review_items ADD COLUMN suggestion jsonb;
