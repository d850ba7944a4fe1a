// Static asset imports (import icon from "@/assets/icon.svg"), declared here so
// `tsc --noEmit` passes on a fresh checkout, before `next build` has written the
// (git-ignored) next-env.d.ts that references the same declarations.
/// <reference types="next/image-types/global" />
