// Package job runs posbackup's operations: one backup (select, archive,
// send, verify, rename), list, check and restore. The command line, the
// service and the web page all call this package; it never prints.
//
// # What a backup run may create and delete
//
// A run creates only dest.TempName(NAME, host, start) (by Put), NAME (by Rename
// from the temporary name, after the check), and, on a kind that cannot
// rename over a file, dest.AsideName(NAME) (by Rename from NAME, inside the
// commit's Rename). At its start, and when the commit's Rename failed after
// the move aside (cancelled, retries used up), it renames AsideName(NAME)
// back to NAME when NAME is missing; that is the only other rename. It
// deletes its own temporary name when it fails; archives the retention policy
// drops (after the commit, never a name equal to NAME ignoring case); and,
// only after it succeeded, AsideName(NAME) and leftovers of other runs judged
// by the start time and host in their names (this host's after LeftoverAge
// and only when it did not grow during the run; another's after 24 h;
// old-style names by file time). An aside is listed as a backup and no sweep
// deletes an aside whose NAME is missing, so at every moment the newest good
// archive of NAME is under NAME or AsideName(NAME), never only under a hidden
// name.
//
// job/crash_test.go checks this at every destination call and step, with
// errors, hangs, simulated crashes and kill -9 of the real binary.
//
// # Restore
//
// Restore checks names (zip slip, links) and refuses zip bombs and archives larger
// than the free space, then in one parallel pass extracts each selected entry
// into a temp file beside its target while checking CRC-32 and SHA-256; only
// when every entry passed are the temp files renamed into place (a damaged
// entry leaves the user's files as they were). Exact times (nanoseconds, any
// year) come from the manifest, not the ZIP's MS-DOS field. Every write goes
// through an os.Root of the target (archive.Target), and a link, junction or
// other reparse point on the way is refused; each temp file is synced before
// its rename and each touched folder after, and their errors are reported. On
// Windows, names Windows cannot create (CON, aux.dat, a:b, a trailing dot)
// are refused before anything is written, as are names differing only in case
// where the target folds case; the next restore removes the temp files a
// killed one left. (Backup side: profile.Select follows links and reparse
// points, names dangling ones as problems, keeps case-only names, and gives
// two extras of one base name _extra/NAME and _extra/NAME-2.)
package job
