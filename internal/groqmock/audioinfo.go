package groqmock

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/go-audio/riff"
	"github.com/go-audio/wav"
)

// audioInfo is what the double learns from an audio file.
type audioInfo struct {
	seconds float64
	text    string // what a groqmock speech file says (its INFO comment)
}

// nominalBytesPerSecond estimates the length of compressed audio the double
// does not decode: 16 kB/s, a 128 kbit/s stream.
const nominalBytesPerSecond = 16000

// inspectAudio reads a WAV file's exact duration (and the text groqmock's
// speech endpoint stores in it); other formats are recognised by their magic
// bytes and their length estimated from their size. ok is false for data
// that is no known audio container.
func inspectAudio(data []byte) (audioInfo, bool) {
	if bytes.HasPrefix(data, []byte("RIFF")) && len(data) >= 12 && string(data[8:12]) == "WAVE" {
		d := wav.NewDecoder(bytes.NewReader(data))
		if !d.IsValidFile() {
			return audioInfo{}, false
		}
		dur, err := d.Duration()
		if err != nil {
			return audioInfo{}, false
		}
		return audioInfo{seconds: dur.Seconds(), text: wavComment(data)}, true
	}
	if !knownContainer(data) {
		return audioInfo{}, false
	}
	return audioInfo{seconds: float64(len(data)) / nominalBytesPerSecond}, true
}

// knownContainer recognises FLAC, Ogg, MP3, WebM/Matroska and MP4/M4A by magic bytes.
func knownContainer(b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte("fLaC")), bytes.HasPrefix(b, []byte("OggS")), bytes.HasPrefix(b, []byte("ID3")),
		bytes.HasPrefix(b, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return true
	case len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0: // an MPEG audio frame sync
		return true
	case len(b) >= 8 && string(b[4:8]) == "ftyp":
		return true
	}
	return false
}

// maxListChunk bounds the LIST chunk the double reads: a declared size is
// never trusted for an allocation (go-audio's own ReadMetadata allocates
// whatever a chunk header claims).
const maxListChunk = 64 << 10

// wavComment returns the INFO/ICMT text of a WAV file, or "".
func wavComment(data []byte) string {
	p := riff.New(bytes.NewReader(data))
	if p.ParseHeaders() != nil {
		return ""
	}
	for {
		ch, err := p.NextChunk()
		if err != nil {
			return ""
		}
		if string(ch.ID[:]) != "LIST" || ch.Size > maxListChunk || ch.Size < 4 {
			ch.Drain()
			continue
		}
		// riff rounds an odd chunk size up to even; go-audio writes no pad byte, so a short read is fine.
		buf := make([]byte, ch.Size)
		n, _ := io.ReadFull(ch, buf)
		buf = buf[:n]
		if len(buf) < 4 || string(buf[:4]) != "INFO" {
			return ""
		}
		at := bytes.Index(buf[4:], []byte("ICMT"))
		if at < 0 || 4+at+8 > len(buf) {
			return ""
		}
		sub := buf[4+at+4:]
		size := int(binary.LittleEndian.Uint32(sub[:4]))
		if size > len(sub)-4 {
			return ""
		}
		return string(bytes.TrimRight(sub[4:4+size], "\x00"))
	}
}
