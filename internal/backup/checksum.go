package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-chat/parley/internal/errs"
)

// checksumExt is the suffix of the checksum file beside each backup. Its
// content is sha256sum's format, so `sha256sum -c` checks it too.
const checksumExt = ".sha256"

// ErrChecksumMismatch is returned (wrapped in an errs.Invalid error) when a
// backup does not match its checksum file.
var ErrChecksumMismatch = errors.New("backup does not match its checksum")

// fileSHA256 returns the hex SHA-256 and size of the file at path.
func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read backup: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// writeChecksum writes "<sum>  <name>\n" to backup+".sha256", atomically.
func writeChecksum(backup, sum string) error {
	line := sum + "  " + filepath.Base(backup) + "\n"
	tmp := backup + checksumExt + ".partial"
	if err := os.WriteFile(tmp, []byte(line), 0o600); err != nil {
		return fmt.Errorf("write checksum: %w", err)
	}
	if err := os.Rename(tmp, backup+checksumExt); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write checksum: %w", err)
	}
	return nil
}

// Verify checks the backup at path against the checksum file beside it.
func Verify(path string) error {
	raw, err := os.ReadFile(path + checksumExt)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errs.E(errs.Invalid, "checksum file %s is missing", filepath.Base(path)+checksumExt)
		}
		return fmt.Errorf("read checksum: %w", err)
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 1 || len(fields[0]) != sha256.Size*2 {
		return errs.E(errs.Invalid, "checksum file %s is malformed", filepath.Base(path)+checksumExt)
	}
	got, _, err := fileSHA256(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errs.E(errs.NotFound, "backup %s does not exist", filepath.Base(path))
		}
		return err
	}
	if !strings.EqualFold(got, fields[0]) {
		return errs.Wrap(errs.Invalid, ErrChecksumMismatch, "backup %s does not match its checksum: refusing to restore", filepath.Base(path))
	}
	return nil
}

// syncFile flushes path to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync backup: %w", err)
	}
	return nil
}
