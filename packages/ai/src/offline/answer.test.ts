import { describe, expect, it } from "vitest";
import { contentTerms } from "../embedding/words";
import { composeOfflineAnswer } from "./answer";
import { editDistance } from "./typos";

const chunk = (content: string, sourceTitle = "Help") => ({ content, sourceTitle });

describe("composeOfflineAnswer reads the passage", () => {
  const prices = chunk(
    [
      "Rental > Prices",
      "| Item | Half day (4 hours) | Full day (24 hours) | Week (7 days) |\n| --- | --- | --- | --- |\n| City bike | €12 | €20 | €90 |\n| E-bike | €28 | €45 | €210 |",
    ].join("\n\n"),
    "Rental",
  );

  it("answers a question about one row with that row and the column it asks about", () => {
    const text = composeOfflineAnswer("how much is an e-bike for a whole day", { chunks: [prices] });
    expect(text).toContain('"Item: E-bike, Full day (24 hours): €45" [1]');
    expect(text).not.toContain("€28");
  });

  it("answers a question about the whole table with every row", () => {
    const text = composeOfflineAnswer("what are your rental prices?", { chunks: [prices] });
    expect(text).toContain("Item: City bike");
    expect(text).toContain("Item: E-bike");
  });

  it("quotes numbered steps whole and keeps the heading as context, not as the answer", () => {
    const steps = chunk(
      "Help > Reset your password\n\n1. Open the sign-in page.\n2. Click Forgot password.\n3. Choose a new password.",
    );
    const text = composeOfflineAnswer("how do i reset my password", { chunks: [steps] });
    expect(text).toContain('From "Help" (Reset your password):');
    expect(text).toContain("1. Open the sign-in page.\n2. Click Forgot password.\n3. Choose a new password.");
  });

  it("does not quote the rule for everything else as the answer", () => {
    const rules = chunk(
      "Flu vaccinations are offered without an appointment on Wednesdays. All other vaccinations need an appointment.",
    );
    const text = composeOfflineAnswer("do i need an appointment for a flu shot", { chunks: [rules] });
    expect(text).toContain("without an appointment on Wednesdays");
    expect(text).not.toContain("All other vaccinations");
  });

  it("answers German questions through German word forms and synonyms", () => {
    const text = composeOfflineAnswer("Was kostet ein Fahrrad pro Tag?", {
      chunks: [
        chunk("Die Preise für Fahrräder: 20 Euro am Tag, 90 Euro pro Woche.", "Verleih"),
        chunk("Helme sind kostenlos.", "Ausrüstung"),
      ],
    });
    expect(text).toContain("Die Preise für Fahrräder: 20 Euro am Tag");
  });

  it("tolerates a typo the context can resolve", () => {
    const text = composeOfflineAnswer("is breakfest included", {
      chunks: [chunk("Breakfast costs €18 per person and is included in suite rates.")],
    });
    expect(text).toContain("€18");
  });

  it("declines with the offer of a person when the context only shares a word", () => {
    const text = composeOfflineAnswer("is there a gym in the hotel", {
      chunks: [
        chunk("Wi-Fi is free throughout the hotel. The password is on your key card holder.", "Hotel"),
      ],
    });
    expect(text).toMatch(/don't know/);
    expect(text).toContain("Talk to a person");
    expect(text).not.toContain("[1]");
  });
});

describe("composeOfflineAnswer knows what kind of answer is asked for", () => {
  it("keeps the sentence stating the duration a 'how long' question asks for", () => {
    const repairs = chunk(
      "Watch repairs > Turnaround\n\nHand in your watch for repair at the counter or send it by post. It comes back after 10 working days. Straps for a repaired watch are fitted at the counter.",
      "Watch shop",
    );
    const text = composeOfflineAnswer("how long does a watch repair take", { chunks: [repairs] });
    expect(text).toContain("after 10 working days");
  });

  it("answers a question whose words are spread over two neighbouring sentences of a long paragraph", () => {
    const visits = chunk(
      "Optician > Visits\n\nEye tests take place Monday to Thursday from 9:00 to 11:00. Please do not wear contact lenses on that day. We send the prescription by post. Frames can be tried on at any time.",
      "Optician",
    );
    const text = composeOfflineAnswer("eye test with contact lenses ok?", { chunks: [visits] });
    expect(text).toContain(
      "Eye tests take place Monday to Thursday from 9:00 to 11:00. Please do not wear contact lenses on that day.",
    );
  });

  it("reads a duration the visitor states about their case as matching a stated period", () => {
    const warranty = chunk(
      "Shop > Guarantee\n\nIf your kettle stops working within 2 years of purchase, we repair or replace it.",
      "Kettles",
    );
    const text = composeOfflineAnswer("my kettle stopped working after 5 months, what now?", {
      chunks: [warranty],
    });
    expect(text).toContain("within 2 years of purchase");
  });

  it("quotes each source that answers the same question instead of guessing one", () => {
    const text = composeOfflineAnswer("are you open on sundays", {
      chunks: [
        chunk("Bakery > Opening hours\n\nMonday to Saturday 6:00 to 18:00, Sunday 7:00 to 11:00.", "Bakery"),
        chunk("Café > Opening hours\n\nTuesday to Sunday 9:00 to 17:00. We are closed on Mondays.", "Café"),
      ],
    });
    expect(text).toContain('From "Bakery"');
    expect(text).toContain('From "Café"');
  });

  it("answers a weekday question from a passage stating a range of days", () => {
    const text = composeOfflineAnswer("can i get a haircut on saturday", {
      chunks: [
        chunk("Salon > Haircuts\n\nHaircuts are done Monday to Friday from 9:00 to 18:00.", "Salon"),
        chunk("Salon > Colour\n\nHair colouring takes about two hours.", "Salon"),
      ],
    });
    expect(text).toContain("Haircuts are done Monday to Friday");
  });

  it("answers a question about something that did not happen with the rule for that case", () => {
    const text = composeOfflineAnswer("my parcel didnt arrive", {
      chunks: [
        chunk(
          "Shop > Delivery\n\nYour parcel arrives in 2 to 3 working days and is handed to you in person. If your parcel does not arrive within 7 days, write to us and we send a new one.",
          "Shop",
        ),
      ],
    });
    expect(text).toContain("If your parcel does not arrive within 7 days");
    expect(text).not.toContain("handed to you in person");
  });

  it("asks a row for the period the visitor names, not the time that passed in their case", () => {
    const prices = chunk(
      "Rental > Prices\n\n| Item | Day | Week (7 days) |\n| --- | --- | --- |\n| Canoe | €30 | €150 |\n| Kayak | €25 | €120 |",
      "Rental",
    );
    const text = composeOfflineAnswer("canoe for a week price", { chunks: [prices] });
    expect(text).toContain("Item: Canoe, Week (7 days): €150");
    expect(text).not.toContain("€30");
  });

  it("does not let words that name a kind of text ('policy', 'documents') sink the match", () => {
    const text = composeOfflineAnswer("whats your privacy policy", {
      chunks: [
        chunk("Help > Privacy\n\nWe keep your privacy: data is stored in the EU and never sold.", "Help"),
      ],
    });
    expect(text).toContain("never sold");
  });

  it("does not take a word for a form of a longer word it only begins ('check' is not 'check-in')", () => {
    const text = composeOfflineAnswer("when can i check in", {
      chunks: [chunk("Help > Email\n\nIf no email arrives, check your spam folder.", "Help")],
    });
    expect(text).toMatch(/don't know/);
  });
});

describe("vocabulary", () => {
  it("reads common paraphrases as the document's words", () => {
    expect(contentTerms("kids get 30% off")).toContain("discount");
    expect(contentTerms("how do I sign up")).toEqual(contentTerms("how do I register"));
    expect(contentTerms("can I take 5 books out")).toContain("borrow");
    expect(contentTerms("skis")).toEqual(contentTerms("ski"));
    expect(contentTerms("sizes")).toEqual(contentTerms("size"));
    expect(contentTerms("bags")).toEqual(contentTerms("luggage"));
    expect(contentTerms("meds online")).toEqual(contentTerms("medicines on the portal"));
  });

  it("folds a word by the synonyms of its own language only ('car' is not the German stem of 'career')", () => {
    expect(contentTerms("can I rent a car")).toEqual(["rent", "car"]);
  });

  it("folds synonyms and word forms to one term, in English and German", () => {
    expect(contentTerms("What does delivery cost?")).toEqual(contentTerms("shipping price"));
    expect(contentTerms("a whole day")).toEqual(contentTerms("full day"));
    expect(contentTerms("Was kosten die Fahrräder?")).toEqual(contentTerms("Preis Fahrrad"));
  });

  it("counts a swap of two letters as one typo", () => {
    expect(editDistance("retrun", "return", 2)).toBe(1);
    expect(editDistance("pasword", "password", 2)).toBe(1);
    expect(editDistance("gym", "pool", 1)).toBe(2);
  });
});
