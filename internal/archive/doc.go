// Package archive writes and reads posbackup's ZIP archives: standard ZIP
// files (deflate or stored entries, UTF-8 names, Zip64 when needed) with a
// manifest inside that records what the backup holds and every file's
// SHA-256. The writer streams to an io.Writer and never seeks.
//
// # The backup's data flow
//
// profile.Select walks the installation once and classifies each path
// (longest matching data-set path wins). archive.Write hands entries to one
// worker per CPU (small files in batches); each reads a file, deflates it
// into a spool (memory up to 4 MiB, then a temp file) while computing CRC-32
// and SHA-256, and compares the open file's size and time before and after
// (fstat): a file that changed is read again (3 tries). A bounded window (2 x
// workers) keeps memory bounded whatever the data size. One goroutine writes
// the finished entries in order with archive/zipw.go (archive/zip's CreateRaw
// layout, central directory spooled; own headers: UTF-8 flag, clamped MS-DOS
// time plus the Info-ZIP extended timestamp, Zip64 data descriptor above 4
// GiB) and appends the manifest last. The ZIP streams through an io.Pipe into
// Destination.Put, so no seek is needed and servers take the bytes as they
// are made. For a server the stream also passes an unlinked local temp file
// (job/rewind.go): a dropped connection can seek back and resume (the copy
// lives in temp_dir, whose free space is checked first). The job puts under a
// temporary name, verifies every entry's CRC-32 and SHA-256 against the
// manifest where the archive is kept (a folder's archive read back from the
// medium, a server's downloaded into temp_dir and compared whole with the
// bytes sent; verify = "quick" checks the server's size and the local copy
// instead), then Renames over the old archive.
//
// Files: writer.go (the pipeline), compress.go and spool.go (one entry),
// headers.go and zipw.go (the ZIP records), manifest.go and manifestw.go,
// aes*.go (WinZip AES-256), reader.go, extract.go and names.go (reading and
// restoring), bomb.go (zip-bomb limits).
package archive
