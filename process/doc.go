// Package process is the engine behind the REST service and `regfus
// worker`: it accepts uploads, turns stored pages into page results,
// reports progress, creates review items, applies corrections and keeps
// every pharmacy's reconciliation up to date. Package api calls it over
// small interfaces; the CLI starts its workers.
//
// # Uploads (Submit)
//
// Every uploaded file is stored in the blob store (package blob) before
// anything else looks at it, so an upload that was acknowledged is
// durable: with SQLite a directory (sha256, fsync, rename), with
// PostgreSQL the database itself (blob/pgblob: committed before Put
// returns), so workers on other machines read the originals with nothing
// but the database URL. The stored bytes are then
// opened with scanfile to count their pages, and pages are decoded in
// order until one decodes: a file none of whose pages decodes is
// unreadable (ErrUnreadable, carrying scanfile's reason, so the API answers
// 422). In a batch of several files the good files are kept and each bad
// file stays in the batch with its pages recorded at once as rejected
// results whose reason is the decoder's error: the batch itself says what
// went wrong with which file, and nothing is silently dropped. The same
// bytes uploaded again by the same scope are recognised by the store
// (CreateBatch) and their pages, processed once, are shared; another
// scope's upload of them gets pages of its own.
//
// A request that fails after storing (unreadable, queue full, the store
// or the client gone) removes the blobs it created; a collector removes
// blobs no file names after a crash between the two steps, never one
// whose upload is in progress (blobs.go).
//
// Scope: a page read as a sheet outside its uploader's scope is recorded
// as rejected with reason out_of_scope and no sheet data (scope.go); a
// correction must keep the page inside the corrector's and the uploader's
// scopes (auth.AuthorizeWrite, the one write rule).
//
// Back-pressure: when the store's queue depth (pages waiting or running)
// is at or over Config.MaxQueue, Submit refuses with ErrOverloaded before
// reading the upload, so the API answers 503 with Retry-After instead of
// filling the disk and memory; once the files are read, the store counts
// the upload's own new pages against the limit when it records the batch
// (503, or 413 for an upload bigger than the limit itself).
//
// # Work distribution
//
// With SQLite (one process owns the database) an in-process pool claims
// pages from the store under leases (store.ClaimPage): a heartbeat extends
// the lease while the page is read, a graceful stop hands unfinished pages
// back (ReleasePage) and a crash is healed by the lease running out, so a
// restarted server resumes every pending page.
//
// With PostgreSQL each page is a River job on the same database (see
// river.go), so any number of `regfus worker` processes share the work and
// a killed worker's jobs are rescued and retried by another. The pages
// table stays the truth: a job whose page is already done does nothing,
// and CompletePage refuses a second result (store.ErrConflict), which the
// worker treats as "already done", so every page is recorded exactly once.
//
// Either way, CPU-heavy work (decoding and reading pages, in workers, in
// Check and in Submit's readability check) holds a slot of one semaphore
// sized to the cores, and every slot has its own acquisition.Reader
// (barcode decoder and Tesseract client are not safe for concurrent use).
//
// # Progress, review, reconciliation
//
// Events streams a batch's progress: subscribers wake when this process
// finishes a page and also poll the store (every PollInterval), so a page
// finished by another process shows up too. Review items are derived from
// each page result (ReviewItems) and saved with it. When a batch finishes,
// every pharmacy it touched is reconciled again; so are the pharmacies of
// an import and of a corrected page (Correct rebuilds the page result from
// the correction, ApplyCorrection). A pharmacy is always reconciled whole
// (every month it has) because a prescription suspended in one month is
// paid in the month it closes; each month's group is stored on its own.
package process
