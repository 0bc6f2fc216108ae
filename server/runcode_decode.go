package server

import "strings"

// DecodeRunCode validates a /run_code body the way SandboxFusion's pydantic
// model does (lax mode): code and language are required, language must be
// one of SandboxFusion's languages, numbers may come as numeric strings,
// stdin may be null, unknown fields are ignored. Like SandboxFusion, it
// accepts any timeout: one of zero or less leaves no time, and the answer
// is a time limit (200), not a schema error. The error is a
// *ValidationError.
func DecodeRunCode(body []byte) (*RunCodeRequest, error) {
	o, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	req := &RunCodeRequest{
		CompileTimeout: o.number("compile_timeout", 10),
		RunTimeout:     o.number("run_timeout", 10),
		MemoryLimitMB:  o.integer("memory_limit_MB", -1),
		Code:           o.str("code", true, ""),
		Stdin:          o.optStr("stdin"),
		Files:          o.optStrMap("files"),
		FetchFiles:     o.strList("fetch_files"),
		Args:           o.strList("args"),
	}
	if v, ok := o.get("language"); !ok {
		o.missing("language")
	} else if s, good := decodeString(v); !good || !isSandboxFusionLanguage(s) {
		quoted := make([]string, len(SandboxFusionLanguages))
		for i, l := range SandboxFusionLanguages {
			quoted[i] = "'" + l + "'"
		}
		expected := strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
		o.errs = append(o.errs, FieldError{Type: "literal_error", Loc: []any{"body", "language"},
			Msg: "Input should be " + expected, Input: v, Ctx: map[string]any{"expected": expected}})
	} else {
		req.Language = s
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	if req.Files == nil {
		req.Files = map[string]*string{}
	}
	if req.FetchFiles == nil {
		req.FetchFiles = []string{}
	}
	if req.Args == nil {
		req.Args = []string{}
	}
	return req, nil
}
