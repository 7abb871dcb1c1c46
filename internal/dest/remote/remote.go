// Package remote is the part of a server destination (FTP, SFTP) that is
// the same whatever the protocol: Stat, List, Delete and Rename built from a
// protocol's few primitives on a retried connection (Server over
// retry.Conn), the rename-over fallback for storages that refuse to replace
// an existing name (RenameOver, Renamer), and the mapping of missing objects
// and broken connections to dest.ErrNotFound and transient errors.
//
// A kind gives its primitives as Ops; everything that is protocol talk
// (connecting, TLS, SSH, uploads, reading) stays in the kind. A server
// quirk that looks the same whatever the protocol (a server that refuses
// to replace, to rename or to delete, or names that begin with a dot) is
// handled here, once for FTP and SFTP. RenameOver also serves wrappers of
// any kind (the faulty destination of the tests).
package remote

import (
	"context"
	"errors"
	"slices"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Ops are one protocol's primitives on the destination folder over one live
// connection. Names are plain base names (Server checks them). Errors are
// the kind's plain ones: a broken connection gives a Transient error
// (retry.Transient), a missing object one wrapping dest.ErrNotFound where
// the protocol tells (where it does not, as with FTP's 550, Server asks
// Stat).
type Ops interface {
	Stat(name string) (dest.Info, error)
	// List returns the regular files in the folder.
	List() ([]dest.Info, error)
	// Folders returns the names of the sub-folders in the folder ("."
	// and ".." may be among them).
	Folders() ([]string, error)
	Delete(name string) error
	// Rename renames from to to; it may refuse to replace an existing to
	// (Server then moves the older one aside, see Renamer).
	Rename(from, to string) error
}

// Server is what a server kind's Stat, List, Delete and Rename share: each
// runs on Conn under its retry policy, and a try after a lost connection
// first looks whether the earlier try's work was done. The kind's methods
// call these. A Server is not copied once used.
type Server[T comparable] struct {
	Conn *retry.Conn[T]
	// Ops returns the primitives over the live client c.
	Ops func(c T) Ops
	// Where names the destination in messages (its String, no password).
	Where func() string
	// Renamer remembers whether the server's rename replaces; a kind that
	// knows it from the protocol says so with Renamer.Know.
	Renamer Renamer
}

// Caps: RenameReplaces once the server is known to rename over an
// existing name in one step (told by the protocol, as SFTP's
// posix-rename@openssh.com, or seen; false before and after a refusal);
// FoldsCase true, as the server's file system is unknown.
func (s *Server[T]) Caps() dest.Caps {
	return dest.Caps{RenameReplaces: s.Renamer.Replaces(), FoldsCase: true}
}

// Folders returns the sub-folders of the folder (a chain's sites, for the
// fleet view), without "." and "..".
func (s *Server[T]) Folders(ctx context.Context) ([]string, error) {
	var out []string
	err := s.Conn.Do(ctx, func(c T, _ int) error {
		names, err := s.Ops(c).Folders()
		out = slices.DeleteFunc(names, func(n string) bool { return n == "." || n == ".." })
		return err
	})
	return out, err
}

// List returns the regular files in the folder.
func (s *Server[T]) List(ctx context.Context) ([]dest.Info, error) {
	var out []dest.Info
	err := s.Conn.Do(ctx, func(c T, _ int) error {
		var err error
		out, err = s.Ops(c).List()
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Stat returns the Info of name, or an error wrapping dest.ErrNotFound.
func (s *Server[T]) Stat(ctx context.Context, name string) (dest.Info, error) {
	if err := dest.CheckName(name); err != nil {
		return dest.Info{}, err
	}
	var info dest.Info
	err := s.Conn.Do(ctx, func(c T, _ int) error {
		var err error
		info, err = s.Ops(c).Stat(name)
		return err
	})
	return info, err
}

// Delete removes name. A missing name is an error wrapping dest.ErrNotFound,
// except on a try after a lost connection (the lost try removed it).
func (s *Server[T]) Delete(ctx context.Context, name string) error {
	if err := dest.CheckName(name); err != nil {
		return err
	}
	return s.Conn.Do(ctx, func(c T, try int) error {
		ops := s.Ops(c)
		err := ops.Delete(name)
		if err == nil || retry.Transient(err) {
			return err
		}
		if !IsNotFound(err) {
			// The refusal may mean the name is missing (FTP 550): ask.
			_, serr := ops.Stat(name)
			if !IsNotFound(serr) {
				if retry.Transient(serr) {
					return serr
				}
				return err
			}
			err = serr
		}
		if try > 0 {
			return nil
		}
		return err
	})
}

// Rename renames from to to, replacing an existing to: in one step where
// the server does, else by way of the aside name (see Renamer). A missing
// from is an error wrapping dest.ErrNotFound. A try after a lost connection
// that finds from gone and to present takes the work as done, and removes
// an aside copy the lost try may have left.
func (s *Server[T]) Rename(ctx context.Context, from, to string) error {
	if err := dest.CheckName(from); err != nil {
		return err
	}
	if err := dest.CheckName(to); err != nil {
		return err
	}
	fromSize := int64(-1) // as the first try saw it
	return s.Conn.Do(ctx, func(c T, try int) error {
		m := opsMover{ops: s.Ops(c), where: s.Where}
		in, err := m.ops.Stat(from)
		if IsNotFound(err) && try > 0 {
			// Done by the try that lost its connection, if to holds what
			// from held (not an older archive the rename did not reach).
			if got, terr := m.ops.Stat(to); terr == nil && (fromSize < 0 || got.Size == fromSize) {
				m.dropAside(to)
				return nil
			}
		}
		if err != nil {
			return err
		}
		if fromSize < 0 {
			fromSize = in.Size
		}
		if err := s.Renamer.Rename(ctx, m, from, to); err != nil {
			return err
		}
		if try > 0 {
			m.dropAside(to) // the lost try may have moved the older one aside
		}
		return nil
	})
}

// opsMover is a Mover over Ops (the context is the Server's, guarded by
// retry.Conn).
type opsMover struct {
	ops   Ops
	where func() string
}

func (m opsMover) Stat(_ context.Context, name string) (dest.Info, error) { return m.ops.Stat(name) }
func (m opsMover) Rename(_ context.Context, from, to string) error        { return m.ops.Rename(from, to) }
func (m opsMover) Delete(_ context.Context, name string) error            { return m.ops.Delete(name) }

func (m opsMover) String() string {
	if m.where == nil {
		return ""
	}
	return m.where()
}

// dropAside removes the aside copy of to, when there is one (best effort:
// the new to is in place).
func (m opsMover) dropAside(to string) {
	if _, err := m.ops.Stat(dest.AsideName(to)); err == nil {
		_ = m.ops.Delete(dest.AsideName(to))
	}
}

// IsNotFound reports whether err says the object is missing.
func IsNotFound(err error) bool { return errors.Is(err, dest.ErrNotFound) }
