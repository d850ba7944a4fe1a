import type { MetadataRoute } from "next";

/** The web app manifest (/manifest.webmanifest): parley installs as an app that opens on the chat. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/chat",
    name: "parley",
    short_name: "parley",
    description: "Self-hosted AI chat on Groq",
    start_url: "/chat",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#c2410c",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
