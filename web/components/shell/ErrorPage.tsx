import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";
import Logo from "./Logo";

/**
 * ErrorPage is the frame of the 403 and 404 pages. A 403 shows inside the
 * signed-in layout, under its top bar (inLayout); a 404 has a header of its own.
 */
export default function ErrorPage({ code, title, body, back, href, testId, inLayout }: { code: string; title: string; body: string; back: string; href: string; testId?: string; inLayout?: boolean }) {
  return (
    <div className={`flex flex-col bg-surface ${inLayout ? "min-h-[calc(100dvh-3.5rem)]" : "min-h-dvh"}`}>
      {!inLayout && (
        <header className="flex h-16 items-center px-6">
          <Link href="/" className="rounded-md no-underline" aria-label="parley">
            <Logo />
          </Link>
        </header>
      )}
      <main id="main" className="flex flex-1 items-center justify-center px-4 pb-24">
        <div className="max-w-md text-center">
          <p className="font-mono text-sm font-medium text-accent">{code}</p>
          <h1 className="mt-2 text-3xl font-semibold tracking-tight">{title}</h1>
          <p className="mt-3 text-muted-foreground" data-testid={testId}>
            {body}
          </p>
          <Link href={href} className={`${buttonVariants()} mt-8 no-underline`}>
            {back}
          </Link>
        </div>
      </main>
    </div>
  );
}
