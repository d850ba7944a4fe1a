import { describe, expect, it } from "vitest";
import { IntlMessageFormat } from "intl-messageformat";
import ar from "@/messages/ar.json";
import en from "@/messages/en.json";
import fr from "@/messages/fr.json";
import { LOCALES } from "@/lib/prefs";

type Tree = { [k: string]: string | Tree };
const all: Record<string, Tree> = { en, fr, ar };

function flatten(t: Tree, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(t)) Object.assign(out, typeof v === "string" ? { [prefix + k]: v } : flatten(v, `${prefix}${k}.`));
  return out;
}

/** placeholders lists the {names} a message uses (its ICU arguments and rich-text tags). */
function placeholders(s: string): string[] {
  return [...new Set([...s.matchAll(/\{(\w+)/g)].map((m) => m[1]).concat([...s.matchAll(/<(\w+)>/g)].map((m) => `<${m[1]}>`)))].sort();
}

describe("messages", () => {
  const base = flatten(en);
  it("exist for every interface language", () => {
    expect(Object.keys(all).sort()).toEqual([...LOCALES].sort());
  });
  for (const locale of ["fr", "ar"]) {
    it(`${locale} has every English key, no other, with the same placeholders, and each parses`, () => {
      const m = flatten(all[locale]);
      expect(Object.keys(m).sort()).toEqual(Object.keys(base).sort());
      for (const [k, v] of Object.entries(m)) {
        expect(placeholders(v), `${locale}: ${k}`).toEqual(placeholders(base[k]));
        expect(() => new IntlMessageFormat(v, locale), `${locale}: ${k}`).not.toThrow();
        expect(v.trim(), `${locale}: ${k}`).not.toBe("");
      }
    });
  }
});
