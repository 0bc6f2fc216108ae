package dataset

import (
	"reflect"
	"strings"
	"testing"
)

func TestExtractExamples(t *testing.T) {
	tests := []struct {
		name, statement string
		want            []Example
	}{
		{
			name: "CodeContests layout; format sections are not examples",
			statement: "Sum two numbers.\n\nInput\n\nThe first line contains a and b.\n\nOutput\n\nPrint a+b.\n\nExamples\n\nInput\n\n\n1 2\n\n\nOutput\n\n\n3\n\n\nInput\n\n\n5 5\n\n\nOutput\n\n\n10\n\nNote\n\nEasy.\n\n" +
				"Time Limit: {'seconds': 2, 'nanos': 0}\nMemory Limit: 256000000 Bytes\n",
			want: []Example{{"1 2", "3"}, {"5 5", "10"}},
		},
		{
			name:      "APPS codeforces layout",
			statement: "Story.\n\n-----Input-----\n\nOne integer.\n\n-----Output-----\n\nIts double.\n\n-----Example-----\nInput\n3\n2 2 3\n\nOutput\n6\n\n\n\n-----Note-----\n\nNone.",
			want:      []Example{{"3\n2 2 3", "6"}},
		},
		{
			name:      "AtCoder sample headers",
			statement: "-----Constraints-----\n - 1 <= N\n\n-----Input-----\nN\n\n-----Sample Input 1-----\n5\n1 2\n\n-----Sample Output 1-----\nYes\n\nBecause.\n\n-----Sample Input 2-----\n1\n\n-----Sample Output 2-----\nNo\n",
			want:      []Example{{"5\n1 2", "Yes\n\nBecause."}, {"1", "No"}},
		},
		{
			name:      "example header inside prose is not a section",
			statement: "<image> Example of how card is removed\n\nInput\n\nT\n\nOutput\n\nAnswer.\n\nExample\n\nInput\n\n1\n4\n\nOutput\n\n0\n",
			want:      []Example{{"1\n4", "0"}},
		},
		{
			name:      "LeetCode inline examples are not extracted",
			statement: "Example 1:\nInput: nums = [1,2]\nOutput: 3\n",
			want:      nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ExtractExamples(tc.statement)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestMatchExamples(t *testing.T) {
	tests := []Test{
		{Input: "2\n1 2\n", Output: "3\n"},
		{Input: "1 1\n", Output: "2\n"},
		{Input: "5 5\n", Output: "10\n"},
		{Input: "1 1\n", Output: "7\n"},
	}
	examples := []Example{
		{Input: "1   1", Output: "7"}, // same input twice: output decides
		{Input: "5 5", Output: "10 (any format)"},
		{Input: "9 9", Output: "18"}, // not a test
	}
	pub, priv := MatchExamples(examples, tests)
	if want := []Test{tests[2], tests[3]}; !reflect.DeepEqual(pub, want) {
		t.Errorf("public = %q, want %q", pub, want)
	}
	if want := []Test{tests[0], tests[1]}; !reflect.DeepEqual(priv, want) {
		t.Errorf("private = %q, want %q", priv, want)
	}
}

func FuzzExtractExamples(f *testing.F) {
	f.Add("Example\n\nInput\n\n1\n\nOutput\n\n2\n")
	f.Add("-----Sample Input-----\n3\n-----Sample Output-----\n4\n")
	f.Add("Examples\nInput\nOutput\nInput\n")
	f.Fuzz(func(t *testing.T, statement string) {
		examples := ExtractExamples(statement)
		var tests []Test
		for _, ex := range examples {
			tests = append(tests, Test{Input: ex.Input + "\n", Output: ex.Output})
		}
		// Every extracted example matches the test made from it.
		pub, priv := MatchExamples(examples, tests)
		if len(pub) != len(tests) || len(priv) != 0 {
			t.Fatalf("examples %q: %d public, %d private", examples, len(pub), len(priv))
		}
		for _, ex := range examples {
			if strings.Contains("\n"+ex.Input+"\n", "\nOutput\n") {
				t.Fatalf("an Output header leaked into an input: %q", ex.Input)
			}
		}
	})
}
