import { cn } from "@/lib/utils";

/** Logo is parley's mark (two speech bubbles) and, unless compact, its name. */
export default function Logo({ compact, className }: { compact?: boolean; className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight text-foreground", className)}>
      <svg viewBox="0 0 32 32" className="size-7 shrink-0" aria-hidden focusable="false">
        <rect width="32" height="32" rx="8" className="fill-accent" />
        <path d="M8 9.5h11a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3h-5.5L9.5 24v-3.5H8a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3Z" fill="#fff" />
        <path d="M24 13.5a3 3 0 0 1 3 3v4a3 3 0 0 1-3 3h-.5V26l-3.2-2.5H16" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" opacity="0.85" />
      </svg>
      {!compact && <span className="text-[17px]">parley</span>}
    </span>
  );
}
