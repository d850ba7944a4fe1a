package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// turnAt posts body to a conversation's messages (or regenerate) route and
// reads the stream to done, returning the start and done events.
func (e *chatEnv) turnAt(t *testing.T, tok, conv, route string, body any) (startData, doneData) {
	t.Helper()
	res, s := e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/"+route, tok, body)
	if res.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(res.Body)
		t.Fatalf("%s: status %d %s", route, res.StatusCode, raw)
	}
	var start startData
	s.must(t, "start", &start)
	_, _, last := readAnswer(t, s)
	if last.name != "done" {
		t.Fatalf("%s ended with %s %s", route, last.name, last.data)
	}
	var done doneData
	if err := json.Unmarshal([]byte(last.data), &done); err != nil {
		t.Fatal(err)
	}
	return start, done
}

// sentHistory is the role:content list of the newest upstream request.
func (e *chatEnv) sentHistory(t *testing.T) []string {
	t.Helper()
	var body struct {
		Messages []struct{ Role, Content string }
	}
	if err := json.Unmarshal(e.upstream.last(t), &body); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(body.Messages))
	for i, m := range body.Messages {
		out[i] = m.Role + ":" + m.Content
	}
	return out
}

func (e *chatEnv) tree(t *testing.T, tok, conv string) (httpapi.ConversationJSON, map[string]httpapi.MessageJSON) {
	t.Helper()
	var got httpapi.ConversationJSON
	e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
	byID := map[string]httpapi.MessageJSON{}
	for _, m := range *got.Messages {
		byID[m.ID] = m
	}
	return got, byID
}

func parentOf(m httpapi.MessageJSON) string {
	if m.ParentID == nil {
		return ""
	}
	return *m.ParentID
}

func wantProblemField(t *testing.T, res *apitest.Response, status int, field string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	p := res.Problem(t)
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("problem %s names no field %q", res.Body, field)
}

// TestBranches: continue from an earlier answer (parent_id), edit a
// question (edit_of), regenerate (a sibling answer), switch branch (PATCH
// active_leaf_id); GET returns every message with parent_id, and the model
// is sent the path to the new message only.
func TestBranches(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		otherTok, _ := e.NewUser()
		conv := e.conversation(tok)
		reply := func(q string) string { return "assistant:" + groqmock.Reply(q) }

		s1, d1 := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q1"})
		if s1.UserMessage.ParentID != nil || parentOf(d1.Message) != s1.UserMessage.ID {
			t.Fatalf("first turn: user under %v, answer under %v", s1.UserMessage.ParentID, d1.Message.ParentID)
		}
		s2, d2 := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q2"})
		if parentOf(*s2.UserMessage) != d1.Message.ID {
			t.Fatalf("default parent %v, want the active leaf %s", s2.UserMessage.ParentID, d1.Message.ID)
		}
		if d := cmp.Diff([]string{"user:q1", reply("q1"), "user:q2"}, e.sentHistory(t)); d != "" {
			t.Errorf("history of q2 (-want +got):\n%s", d)
		}

		// Edit q2: a sibling of q2, and the model never sees q2.
		s2b, d2b := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q2 edited", "edit_of": s2.UserMessage.ID})
		if parentOf(*s2b.UserMessage) != d1.Message.ID || parentOf(d2b.Message) != s2b.UserMessage.ID {
			t.Fatalf("edit stored under %v", s2b.UserMessage.ParentID)
		}
		if d := cmp.Diff([]string{"user:q1", reply("q1"), "user:q2 edited"}, e.sentHistory(t)); d != "" {
			t.Errorf("history of the edit (-want +got):\n%s", d)
		}

		// Continue from the first answer.
		s3, d3 := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q3", "parent_id": d1.Message.ID})
		if parentOf(*s3.UserMessage) != d1.Message.ID {
			t.Fatalf("parent_id ignored: %v", s3.UserMessage.ParentID)
		}
		if d := cmp.Diff([]string{"user:q1", reply("q1"), "user:q3"}, e.sentHistory(t)); d != "" {
			t.Errorf("history from parent_id (-want +got):\n%s", d)
		}

		// Regenerate the leaf (q3's answer): a sibling, the first answer stays.
		rs, rd := e.turnAt(t, tok, conv, "regenerate", map[string]any{})
		if rs.UserMessage != nil || parentOf(rd.Message) != s3.UserMessage.ID || rd.Message.ID == d3.Message.ID {
			t.Fatalf("regenerate: start %+v, answer under %v", rs, rd.Message.ParentID)
		}
		if d := cmp.Diff([]string{"user:q1", reply("q1"), "user:q3"}, e.sentHistory(t)); d != "" {
			t.Errorf("history of regenerate (-want +got):\n%s", d)
		}
		// Regenerate an earlier answer by id.
		_, rd1 := e.turnAt(t, tok, conv, "regenerate", map[string]any{"message_id": d1.Message.ID})
		if parentOf(rd1.Message) != s1.UserMessage.ID {
			t.Fatalf("regenerate of the first answer stored under %v", rd1.Message.ParentID)
		}
		if d := cmp.Diff([]string{"user:q1"}, e.sentHistory(t)); d != "" {
			t.Errorf("history of regenerating the first answer (-want +got):\n%s", d)
		}

		got, byID := e.tree(t, tok, conv)
		wantParents := map[string]string{
			s1.UserMessage.ID: "", d1.Message.ID: s1.UserMessage.ID,
			s2.UserMessage.ID: d1.Message.ID, d2.Message.ID: s2.UserMessage.ID,
			s2b.UserMessage.ID: d1.Message.ID, d2b.Message.ID: s2b.UserMessage.ID,
			s3.UserMessage.ID: d1.Message.ID, d3.Message.ID: s3.UserMessage.ID, rd.Message.ID: s3.UserMessage.ID,
			rd1.Message.ID: s1.UserMessage.ID,
		}
		gotParents := map[string]string{}
		for id, m := range byID {
			gotParents[id] = parentOf(m)
		}
		if d := cmp.Diff(wantParents, gotParents); d != "" {
			t.Fatalf("tree (-want +got):\n%s", d)
		}
		if got.ActiveLeafID == nil || *got.ActiveLeafID != rd1.Message.ID {
			t.Fatalf("active leaf %v, want the newest answer %s", got.ActiveLeafID, rd1.Message.ID)
		}

		// Switch back to q2's branch: a plain send continues it.
		var patched httpapi.ConversationJSON
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+conv, tok, map[string]any{"active_leaf_id": d2.Message.ID}), 200).Decode(t, &patched)
		if patched.ActiveLeafID == nil || *patched.ActiveLeafID != d2.Message.ID {
			t.Fatalf("PATCH answered %+v", patched)
		}
		s4, _ := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q4"})
		if parentOf(*s4.UserMessage) != d2.Message.ID {
			t.Fatalf("after switching, q4 under %v, want %s", s4.UserMessage.ParentID, d2.Message.ID)
		}
		if d := cmp.Diff([]string{"user:q1", reply("q1"), "user:q2", reply("q2"), "user:q4"}, e.sentHistory(t)); d != "" {
			t.Errorf("history after switching (-want +got):\n%s", d)
		}

		// Precise refusals, and nothing written by them.
		otherConv := e.conversation(tok)
		e.turnAt(t, tok, otherConv, "messages", map[string]any{"content": "elsewhere"})
		_, otherMsgs := e.tree(t, tok, otherConv)
		var foreign string
		for id := range otherMsgs {
			foreign = id
		}
		before, beforeMsgs := e.tree(t, tok, conv)
		path := "/api/v1/conversations/" + conv
		for _, id := range []string{foreign, "nope", "", "' OR 1=1 --"} {
			wantProblemField(t, e.Call("PATCH", path, tok, map[string]any{"active_leaf_id": id}), 422, "active_leaf_id")
		}
		e.Want(e.Call("PATCH", path, otherTok, map[string]any{"active_leaf_id": d2.Message.ID}), 404)
		wantProblemField(t, e.Call("POST", "/api/v1/conversations", tok, map[string]any{"active_leaf_id": d2.Message.ID}), 422, "active_leaf_id")
		for _, tc := range []struct {
			route string
			body  map[string]any
			field string
		}{
			{"messages", map[string]any{"content": "x", "parent_id": foreign}, "parent_id"},
			{"messages", map[string]any{"content": "x", "parent_id": "nope"}, "parent_id"},
			{"messages", map[string]any{"content": "x", "edit_of": d1.Message.ID}, "edit_of"},
			{"messages", map[string]any{"content": "x", "edit_of": foreign}, "edit_of"},
			{"messages", map[string]any{"content": "x", "edit_of": s1.UserMessage.ID, "parent_id": d1.Message.ID}, "edit_of"},
			{"messages", map[string]any{"content": "x", "parent_id": 5}, "parent_id"},
			{"regenerate", map[string]any{"message_id": foreign}, "message_id"},
		} {
			wantProblemField(t, e.Call("POST", path+"/"+tc.route, tok, tc.body), 422, tc.field)
		}
		e.Want(e.Call("POST", path+"/messages", otherTok, map[string]any{"content": "x", "parent_id": d1.Message.ID}), 404)
		after, afterMsgs := e.tree(t, tok, conv)
		if len(afterMsgs) != len(beforeMsgs) || *after.ActiveLeafID != *before.ActiveLeafID {
			t.Fatalf("refused calls wrote: %d → %d messages, leaf %s → %s", len(beforeMsgs), len(afterMsgs),
				*before.ActiveLeafID, *after.ActiveLeafID)
		}
	})
}

// TestBranchesConcurrentSends: two sends at once on the same leaf are both
// kept, as siblings, each with its answer; none is lost, none fails.
func TestBranchesConcurrentSends(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		_, d1 := e.turnAt(t, tok, conv, "messages", map[string]any{"content": "q1"})
		for _, explicit := range []bool{true, false} {
			const n = 2
			var wg sync.WaitGroup
			results := make(chan string, n)
			for i := range n {
				body := map[string]any{"content": fmt.Sprintf("at once %v %d", explicit, i)}
				if explicit {
					body["parent_id"] = d1.Message.ID
				}
				raw, _ := json.Marshal(body)
				wg.Go(func() {
					req, _ := http.NewRequest("POST", e.URL+"/api/v1/conversations/"+conv+"/messages", strings.NewReader(string(raw)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+tok)
					res, err := e.Client.Do(req)
					if err != nil {
						results <- err.Error()
						return
					}
					defer res.Body.Close()
					b, _ := io.ReadAll(res.Body)
					results <- fmt.Sprintf("%d %s", res.StatusCode, b)
				})
			}
			wg.Wait()
			close(results)
			for r := range results {
				if !strings.HasPrefix(r, "200 ") || !strings.Contains(r, "event: done") {
					t.Fatalf("concurrent send: %s", r)
				}
			}
			_, byID := e.tree(t, tok, conv)
			var users []httpapi.MessageJSON
			answers := map[string]int{}
			for _, m := range byID {
				if m.Role == "user" && strings.HasPrefix(m.Content, fmt.Sprintf("at once %v", explicit)) {
					users = append(users, m)
				}
				if m.Role == "assistant" {
					answers[parentOf(m)]++
				}
				if p := parentOf(m); p != "" {
					if _, ok := byID[p]; !ok {
						t.Fatalf("message %s under %s, which is not in the conversation", m.ID, p)
					}
				}
			}
			if len(users) != n {
				t.Fatalf("explicit=%v: %d of %d concurrent messages kept", explicit, len(users), n)
			}
			for _, u := range users {
				if explicit && parentOf(u) != d1.Message.ID {
					t.Errorf("concurrent message under %s, want %s", parentOf(u), d1.Message.ID)
				}
				if answers[u.ID] != 1 {
					t.Errorf("message %q has %d answers, want 1", u.Content, answers[u.ID])
				}
			}
		}
	})
}
