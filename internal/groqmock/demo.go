package groqmock

import (
	"fmt"
	"strings"
)

// ReasoningFor is the double's reasoning trace for a prompt at an effort
// (low: one sentence, medium or default: two, high: three). AnswersDemo
// traces read like a model thinking about the subject.
func ReasoningFor(prompt, effort string, demo bool) string {
	n := map[string]int{"low": 1, "high": 3}[effort]
	if n == 0 {
		n = 2
	}
	subject := subjectOf(prompt)
	steps := []string{
		fmt.Sprintf("The user asks about %s.", subject),
		"I should answer directly and keep the structure easy to scan.",
		"A short example and a summary at the end will help.",
	}
	if demo {
		steps = []string{
			fmt.Sprintf("Okay, the user wants to know about %s. Let me think about what matters most here.", subject),
			"First I should give a short definition, then the key points as a list, and a table that compares the options side by side.",
			"An example makes it concrete, and a one-line summary at the end helps anyone who skims. Let me also double-check the numbers before I write them down.",
		}
	}
	return strings.Join(steps[:n], " ")
}

// subjectOf turns a prompt into the subject an answer talks about.
func subjectOf(prompt string) string {
	s := strings.Join(strings.Fields(prompt), " ")
	s = strings.TrimRight(s, "?!. ")
	l := strings.ToLower(s)
	for _, lead := range []string{"what is ", "what are ", "explain ", "tell me about ", "how do i ", "how does ", "how to ",
		"can you ", "please ", "write ", "give me ", "show me "} {
		if strings.HasPrefix(l, lead) {
			s, l = s[len(lead):], l[len(lead):]
		}
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	if s == "" {
		return "getting started with groqmock"
	}
	return s
}

// topicOf picks the answer template by the words of the prompt.
func topicOf(prompt string) string {
	l := strings.ToLower(prompt)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("compare", " vs", "versus", "difference", "better", "pros and cons"):
		return "compare"
	case has("code", "function", "program", "script", "golang", "python", "javascript", "typescript", "sql", "regex", "bug", "api"):
		return "code"
	case has("math", "formula", "equation", "integral", "derivative", "probability", "prove", "physics", "statistics"):
		return "math"
	case has("plan", "itinerary", "recipe", "schedule", "steps", "how to", "how do i", "checklist"):
		return "plan"
	}
	return "overview"
}

// DemoAnswer is the offline demo's answer to a prompt: realistic Markdown
// chosen by topic (code, math, a comparison, a plan, or an overview that has
// every element: headings, lists, a table, a code block and a formula).
// Deterministic: the same prompt always gets the same answer.
func DemoAnswer(prompt string) string {
	subj := subjectOf(prompt)
	switch topicOf(prompt) {
	case "code":
		if strings.Contains(strings.ToLower(prompt), "python") {
			return fmt.Sprintf(demoCodePython, subj)
		}
		return fmt.Sprintf(demoCode, subj)
	case "math":
		return fmt.Sprintf(demoMath, subj)
	case "compare":
		return fmt.Sprintf(demoCompare, subj)
	case "plan":
		return fmt.Sprintf(demoPlan, subj)
	}
	return fmt.Sprintf(demoOverview, subj, subj)
}

const demoOverview = "## %s\n\n" +
	"Here is a quick tour, answered offline by **groqmock** at the speed you chose.\n\n" +
	"### Key points\n\n" +
	"- **What it is:** a short definition comes first, so you know where you stand.\n" +
	"- **Why it matters:** fast answers keep you in the flow; Groq serves hundreds of tokens a second.\n" +
	"- **How to start:** try one small example, then grow from there.\n\n" +
	"### At a glance\n\n" +
	"| Aspect | Short answer | Detail |\n" +
	"|---|---|---|\n" +
	"| Speed | Fast | Time to first token well under a second |\n" +
	"| Cost | Low | You pay per token, not per minute |\n" +
	"| Effort | Small | One API call with an OpenAI-compatible client |\n\n" +
	"### A tiny example\n\n" +
	"```python\n" +
	"from groq import Groq\n\n" +
	"client = Groq()\n" +
	"reply = client.chat.completions.create(\n" +
	"    model=\"openai/gpt-oss-120b\",\n" +
	"    messages=[{\"role\": \"user\", \"content\": \"Hello!\"}],\n" +
	")\n" +
	"print(reply.choices[0].message.content)\n" +
	"```\n\n" +
	"### A formula to keep\n\n" +
	"The time an answer takes is roughly $t \\approx t_0 + \\frac{n}{r}$, where $t_0$ is the time to first token, " +
	"$n$ the tokens of the answer and $r$ the tokens per second:\n\n" +
	"$$\nt_{\\text{total}} = t_0 + \\frac{n}{r}\n$$\n\n" +
	"**In short:** %s is easiest to learn by trying it — ask a follow-up question to go deeper."

const demoCode = "## %s\n\n" +
	"Below is a small, working starting point and what each part does.\n\n" +
	"```go\n" +
	"package main\n\n" +
	"import (\n\t\"fmt\"\n\t\"strings\"\n)\n\n" +
	"// wordCount returns how often each word occurs in text.\n" +
	"func wordCount(text string) map[string]int {\n" +
	"\tcounts := make(map[string]int)\n" +
	"\tfor _, w := range strings.Fields(strings.ToLower(text)) {\n" +
	"\t\tcounts[w]++\n" +
	"\t}\n" +
	"\treturn counts\n" +
	"}\n\n" +
	"func main() {\n" +
	"\tfmt.Println(wordCount(\"the quick brown fox jumps over the lazy dog\"))\n" +
	"}\n" +
	"```\n\n" +
	"### How it works\n\n" +
	"1. `strings.Fields` splits the text on any run of white space.\n" +
	"2. `strings.ToLower` makes *The* and *the* the same word.\n" +
	"3. The map grows as new words appear; reading a missing key gives `0`.\n\n" +
	"### Cost\n\n" +
	"| Step | Time | Memory |\n" +
	"|---|---|---|\n" +
	"| Split | $O(n)$ | $O(n)$ |\n" +
	"| Count | $O(n)$ | $O(k)$ for $k$ distinct words |\n\n" +
	"> **Tip:** add a test with an empty string and one with punctuation before you rely on it."

const demoCodePython = "## %s\n\n" +
	"A small, tested starting point in Python.\n\n" +
	"```python\n" +
	"from collections import Counter\n\n\n" +
	"def word_count(text: str) -> Counter[str]:\n" +
	"    \"\"\"Return how often each word occurs in text.\"\"\"\n" +
	"    return Counter(text.lower().split())\n\n\n" +
	"if __name__ == \"__main__\":\n" +
	"    print(word_count(\"the quick brown fox jumps over the lazy dog\").most_common(2))\n" +
	"```\n\n" +
	"### How it works\n\n" +
	"1. `str.split()` cuts on any run of white space.\n" +
	"2. `str.lower()` makes *The* and *the* the same word.\n" +
	"3. `Counter` counts in one pass and sorts with `most_common`.\n\n" +
	"### Cost\n\n" +
	"| Step | Time | Memory |\n" +
	"|---|---|---|\n" +
	"| Split | $O(n)$ | $O(n)$ |\n" +
	"| Count | $O(n)$ | $O(k)$ for $k$ distinct words |\n\n" +
	"> **Tip:** run it with `python3 -X dev` to see warnings early."

const demoMath = "## %s\n\n" +
	"Let us build it up step by step.\n\n" +
	"### The idea\n\n" +
	"- Start from what is known and name each quantity.\n" +
	"- Write the relation between them as an equation.\n" +
	"- Check the result with a number you can verify by hand.\n\n" +
	"### The formula\n\n" +
	"For the quadratic $ax^2 + bx + c = 0$ with $a \\neq 0$:\n\n" +
	"$$\nx = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}\n$$\n\n" +
	"The discriminant $\\Delta = b^2 - 4ac$ tells how many real roots there are:\n\n" +
	"| $\\Delta$ | Real roots | Example |\n" +
	"|---|---|---|\n" +
	"| $> 0$ | two | $x^2 - 5x + 6 = 0 \\Rightarrow x \\in \\{2, 3\\}$ |\n" +
	"| $= 0$ | one | $x^2 - 2x + 1 = 0 \\Rightarrow x = 1$ |\n" +
	"| $< 0$ | none | $x^2 + 1 = 0$ |\n\n" +
	"### Check it in code\n\n" +
	"```python\n" +
	"import math\n\n" +
	"a, b, c = 1, -5, 6\n" +
	"d = b * b - 4 * a * c\n" +
	"print(sorted([(-b - math.sqrt(d)) / (2 * a), (-b + math.sqrt(d)) / (2 * a)]))  # [2.0, 3.0]\n" +
	"```"

const demoCompare = "## %s\n\n" +
	"Both options are good; the right one depends on what you need most.\n\n" +
	"| Criterion | Option A | Option B |\n" +
	"|---|---|---|\n" +
	"| Speed | ⚡ Very fast | Fast |\n" +
	"| Learning curve | Gentle | Steeper |\n" +
	"| Ecosystem | Growing | Mature |\n" +
	"| Best for | Prototypes, small teams | Large, long-lived systems |\n\n" +
	"### Choose A when\n\n" +
	"- you want results today,\n" +
	"- the team is small and moves fast.\n\n" +
	"### Choose B when\n\n" +
	"- many people will maintain it for years,\n" +
	"- you need the widest choice of libraries.\n\n" +
	"A simple way to score them: $\\text{score} = \\sum_i w_i \\cdot s_i$ with weights $w_i$ for what matters to you.\n\n" +
	"```text\nA: 0.5×9 + 0.3×6 + 0.2×7 = 7.7\nB: 0.5×7 + 0.3×9 + 0.2×8 = 7.8\n```\n\n" +
	"**Verdict:** close call — pick the one your team already knows."

const demoPlan = "## %s\n\n" +
	"A plan you can follow today.\n\n" +
	"### Steps\n\n" +
	"1. **Prepare** — gather what you need and set aside an hour.\n" +
	"2. **Start small** — do the simplest version end to end.\n" +
	"3. **Improve** — fix the one thing that bothered you most.\n" +
	"4. **Review** — write down what you would do differently.\n\n" +
	"### Schedule\n\n" +
	"| When | What | Time |\n" +
	"|---|---|---|\n" +
	"| Morning | Prepare and start | 45 min |\n" +
	"| Afternoon | Improve | 30 min |\n" +
	"| Evening | Review | 15 min |\n\n" +
	"### Checklist\n\n" +
	"- [x] Goal written down\n" +
	"- [ ] First version done\n" +
	"- [ ] Review notes taken\n\n" +
	"```bash\n# keep notes as you go\necho \"$(date +%%F): step done\" >> progress.md\n```\n\n" +
	"Total time: $45 + 30 + 15 = 90$ minutes."
