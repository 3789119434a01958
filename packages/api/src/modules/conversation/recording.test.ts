import { describe, expect, it } from "vitest";
import { checkRecording, declaredRecordingType, sniffRecording } from "./recording";

const bytes = (head: number[] | string, size = 64) => {
  const out = new Uint8Array(size);
  out.set(typeof head === "string" ? [...head].map((c) => c.charCodeAt(0)) : head);
  return out;
};

describe("recordings", () => {
  it("knows MediaRecorder's containers by their magic bytes", () => {
    expect(sniffRecording(bytes([0x1a, 0x45, 0xdf, 0xa3]))).toBe("audio/webm");
    expect(sniffRecording(bytes("OggS"))).toBe("audio/ogg");
    expect(sniffRecording(bytes("RIFF\0\0\0\0WAVE"))).toBe("audio/wav");
    expect(sniffRecording(bytes("\0\0\0\x1cftypM4A "))).toBe("audio/mp4");
    expect(sniffRecording(bytes("ID3"))).toBeNull();
    expect(sniffRecording(bytes([0x1a, 0x45], 2))).toBeNull();
  });

  it("reads the declared type without its parameters", () => {
    expect(declaredRecordingType("audio/webm;codecs=opus")).toBe("audio/webm");
    expect(declaredRecordingType("Audio/Ogg; codecs=opus")).toBe("audio/ogg");
    expect(declaredRecordingType("audio/x-wav")).toBe("audio/wav");
    expect(declaredRecordingType("audio/mpeg")).toBeNull();
    expect(declaredRecordingType(undefined)).toBeNull();
  });

  it("takes a recording only when its bytes are the container it claims", () => {
    expect(checkRecording(bytes("OggS"), "audio/ogg;codecs=opus")).toEqual({ ok: true, type: "audio/ogg" });
    expect(checkRecording(bytes("OggS"), "audio/webm")).toMatchObject({ ok: false, status: 415 });
    expect(checkRecording(new Uint8Array(0), "audio/ogg")).toMatchObject({ ok: false, status: 400 });
  });
});
