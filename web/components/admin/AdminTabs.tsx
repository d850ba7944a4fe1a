"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { isCurrent, type NavItem } from "@/components/shell/NavLinks";
import { cn } from "@/lib/utils";

/** AdminTabs switches between the admin sections. */
export default function AdminTabs({ items, label }: { items: NavItem[]; label: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mb-8 overflow-x-auto border-b border-border">
      <ul className="flex gap-1">
        {items.map((i) => {
          const current = isCurrent(pathname, i.href);
          return (
            <li key={i.href}>
              <Link
                href={i.href}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "-mb-px block whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium no-underline",
                  current ? "border-foreground text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
                )}
              >
                {i.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
