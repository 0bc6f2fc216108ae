package dist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// A payload (a job's or a result's body) is stored with a one-byte tag:
//
//	'j' JSON
//	'z' JSON compressed with S2
//	'b' the name of an object (in the objects bucket) holding a 'j' or
//	    'z' payload, for bodies larger than a message may be
const (
	tagJSON = 'j'
	tagS2   = 'z'
	tagBlob = 'b'
)

// compressAbove is the size from which JSON bodies are compressed.
const compressAbove = 16 << 10

// maxDecoded bounds a decompressed body.
const maxDecoded = 1 << 30

// pack encodes v as a tagged payload.
func pack(v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	if len(js) < compressAbove {
		return append([]byte{tagJSON}, js...), nil
	}
	enc := s2.Encode(nil, js)
	return append(append(make([]byte, 0, 1+len(enc)), tagS2), enc...), nil
}

// unpack decodes a 'j' or 'z' payload into v.
func unpack(data []byte, v any) error {
	if len(data) == 0 {
		return errors.New("decode payload: empty")
	}
	body := data[1:]
	switch data[0] {
	case tagJSON:
	case tagS2:
		n, err := s2.DecodedLen(body)
		if err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		if n > maxDecoded {
			return fmt.Errorf("decode payload: %d bytes decompressed is too large", n)
		}
		if body, err = s2.Decode(nil, body); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
	case tagBlob:
		return errors.New("decode payload: a blob reference was not resolved")
	default:
		return fmt.Errorf("decode payload: unknown tag %q", data[0])
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

// blobName is the object name of a payload too large for a message.
func blobName(data []byte) string {
	sum := sha256.Sum256(data)
	return "blob/" + hex.EncodeToString(sum[:])
}

// spill stores a payload larger than max in the objects bucket and
// returns a reference to it; smaller payloads are returned as they are.
func (c *Cluster) spill(ctx context.Context, data []byte, max int) ([]byte, error) {
	if len(data) <= max {
		return data, nil
	}
	name := blobName(data)
	if _, err := c.objects.PutBytes(ctx, name, data); err != nil {
		return nil, fmt.Errorf("store a %d-byte payload: %w", len(data), err)
	}
	return append([]byte{tagBlob}, name...), nil
}

// fetchBlob resolves a blob reference; other payloads are returned as
// they are. The bool reports a blob, which the reader may delete.
func (c *Cluster) fetchBlob(ctx context.Context, data []byte) ([]byte, string, error) {
	if len(data) == 0 || data[0] != tagBlob {
		return data, "", nil
	}
	name := string(data[1:])
	body, err := c.objects.GetBytes(ctx, name)
	if err != nil {
		return nil, "", fmt.Errorf("fetch payload %s: %w", name, err)
	}
	if blobName(body) != name {
		return nil, "", fmt.Errorf("fetch payload %s: content does not match its name", name)
	}
	return body, name, nil
}
