import type { DetailedHTMLProps, HTMLAttributes } from "react";

/** Attributes of the widget's <avatar-chat> element that the dashboard's preview sets. */
interface AvatarChatAttributes extends DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> {
  bot?: string | undefined;
  api?: string | undefined;
  mode?: "inline" | "floating" | undefined;
  position?: "left" | "right" | undefined;
  theme?: "light" | "dark" | "auto" | undefined;
  "primary-color"?: string | undefined;
  size?: "small" | "medium" | "large" | undefined;
  name?: string | undefined;
  open?: boolean | undefined;
}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "avatar-chat": AvatarChatAttributes;
    }
  }
}
