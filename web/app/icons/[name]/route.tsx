/**
 * The installable app's icons (PNG), drawn from code at build time by Next's
 * ImageResponse: /icons/icon-192.png, icon-512.png, maskable-512.png (the
 * mark inside the safe zone, for launchers that crop to a circle) and
 * apple-touch-icon.png (180 px). The same mark as components/shell/Logo.tsx.
 */
import { ImageResponse } from "next/og";

export const dynamic = "force-static";

const ICONS: Record<string, { size: number; maskable?: boolean }> = {
  "icon-192.png": { size: 192 },
  "icon-512.png": { size: 512 },
  "maskable-512.png": { size: 512, maskable: true },
  "apple-touch-icon.png": { size: 180, maskable: true },
};

export function generateStaticParams() {
  return Object.keys(ICONS).map((name) => ({ name }));
}

export async function GET(_req: Request, ctx: { params: Promise<{ name: string }> }): Promise<Response> {
  const icon = ICONS[(await ctx.params).name];
  if (!icon) return new Response("not found", { status: 404 });
  const { size, maskable } = icon;
  // Maskable icons fill the square; the mark stays within the central 80 %.
  const mark = Math.round(size * (maskable ? 0.56 : 0.66));
  return new ImageResponse(
    (
      <div
        style={{
          width: "100%",
          height: "100%",
          display: "flex",
          alignItems: "center",
          justifyContent: "center",
          background: "#c2410c",
          borderRadius: maskable ? 0 : size * 0.22,
        }}
      >
        <svg width={mark} height={mark} viewBox="4 7 24 20">
          <path d="M8 9.5h11a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3h-5.5L9.5 24v-3.5H8a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3Z" fill="#ffffff" />
          <path d="M24 13.5a3 3 0 0 1 3 3v4a3 3 0 0 1-3 3h-.5V26l-3.2-2.5H16" fill="none" stroke="#ffffff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" opacity="0.85" />
        </svg>
      </div>
    ),
    { width: size, height: size, headers: { "cache-control": "public, max-age=86400" } },
  );
}
