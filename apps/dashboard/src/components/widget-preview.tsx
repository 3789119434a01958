import type { AvatarCueName } from "@avatar-chat/widget";
import { useEffect, useRef, useState } from "react";
import { ErrorState, Loading } from "./states";

/** The methods <avatar-chat> adds to its element. */
export interface AvatarChatElement extends HTMLElement {
  say(text: string): Promise<void>;
  cue(cue: AvatarCueName): void;
}

let defined: Promise<void> | null = null;

// The widget (and its Three.js chunk) loads only on screens that show a preview.
function defineWidget(): Promise<void> {
  defined ??= import("@avatar-chat/widget").then(({ defineAvatarChat }) =>
    defineAvatarChat({ api: window.location.origin }),
  );
  return defined;
}

export interface PreviewLook {
  name?: string;
  primaryColor?: string | undefined;
  position?: "bottom-left" | "bottom-right" | undefined;
  dark?: boolean | undefined;
}

/**
 * The real widget, inline, talking to the real api as a visitor (the api lets the dashboard's origin use
 * unpublished chatbots). Unsaved look changes go in as attributes, which override the saved config.
 * A new `savedAt` starts a fresh widget, so a save shows at once what visitors get (greeting, avatar colours).
 */
export function WidgetPreview({
  publicKey,
  look,
  savedAt,
  onElement,
}: {
  publicKey: string;
  look: PreviewLook;
  savedAt?: string | Date;
  onElement?: (element: AvatarChatElement | null) => void;
}) {
  const [state, setState] = useState<"loading" | "ready" | Error>("loading");
  const element = useRef<AvatarChatElement | null>(null);
  useEffect(() => {
    let live = true;
    defineWidget().then(
      () => live && setState("ready"),
      (error: Error) => live && setState(error),
    );
    return () => {
      live = false;
    };
  }, []);
  if (state === "loading") return <Loading what="the widget" />;
  if (state instanceof Error) return <ErrorState error={state} />;
  return (
    <div className="preview-stage">
      <avatar-chat
        key={String(savedAt ?? "")}
        ref={(node) => {
          element.current = node as AvatarChatElement | null;
          onElement?.(element.current);
        }}
        bot={publicKey}
        api={window.location.origin}
        mode="inline"
        size="large"
        name={look.name || undefined}
        primary-color={look.primaryColor}
        position={look.position === "bottom-left" ? "left" : "right"}
        theme={look.dark === undefined ? undefined : look.dark ? "dark" : "light"}
      />
    </div>
  );
}
