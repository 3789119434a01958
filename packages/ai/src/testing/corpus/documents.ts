/**
 * A small knowledge base about a fictional company, Brightleaf Home (smart lamps and thermostats), written for
 * retrieval tests and benchmarks. Each document is Markdown, as a tenant would upload it.
 */
export interface CorpusDocument {
  id: string;
  title: string;
  content: string;
}

export const documents: CorpusDocument[] = [
  {
    id: "returns",
    title: "Returns policy",
    content: `# Returns policy

You can return any Brightleaf product within 30 days of delivery for a full refund, no questions asked. The product should be in its original packaging with all accessories.

To start a return, open your order in the Brightleaf Home app or on brightleaf.example/orders and choose "Return an item". We email you a prepaid return label within one business day.

Engraved or custom-colour lamps are made to order and cannot be returned unless they arrive damaged.`,
  },
  {
    id: "refunds",
    title: "Refund timing",
    content: `# Refund timing

Once your return reaches our warehouse in Rotterdam we inspect it within two business days. The refund is then paid to the original payment method.

Card refunds usually appear on your statement within 5 to 7 business days. PayPal refunds are instant. Gift card purchases are refunded as store credit.

Original shipping costs are refunded only if the item was faulty or we sent the wrong product.`,
  },
  {
    id: "warranty",
    title: "Warranty",
    content: `# Warranty

Every Brightleaf lamp and thermostat comes with a two-year limited warranty covering manufacturing defects in parts and labour. Brightleaf Plus members get an extended warranty of four years.

The warranty does not cover damage from drops, water, power surges or unauthorised repairs. Keep your order number: it is your proof of purchase.

To make a warranty claim, contact support with a short video of the problem. If we cannot fix it remotely we send a replacement before you send the faulty unit back.`,
  },
  {
    id: "shipping",
    title: "Shipping and delivery times",
    content: `# Shipping and delivery

Orders placed before 3 pm CET on a business day leave our warehouse the same day.

Standard delivery within the EU takes 2 to 4 business days and is free on orders over 50 euros; below that it costs 4.95 euros. Express delivery arrives the next business day and costs 12 euros.

Every shipment has a tracking link, sent by email as soon as the parcel leaves the warehouse.`,
  },
  {
    id: "international",
    title: "International shipping",
    content: `# International shipping

Outside the EU we ship to the United Kingdom, Switzerland, Norway, the United States, Canada and Australia. Delivery takes 5 to 10 business days.

Customs duties and import taxes for the UK, Switzerland and Norway are included in the price at checkout. For the United States, Canada and Australia the recipient pays any duties on delivery.

We do not currently ship to Asia, Africa or South America.`,
  },
  {
    id: "payment",
    title: "Payment methods",
    content: `# Payment methods

We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay, iDEAL and Klarna.

With Klarna you can pay in three interest-free instalments on orders between 50 and 1500 euros. Business customers can pay by bank transfer against an invoice with 30-day terms after a credit check.

We never store full card numbers; payments are processed by our payment provider, which is PCI DSS certified.`,
  },
  {
    id: "cancel-order",
    title: "Changing or cancelling an order",
    content: `# Changing or cancelling an order

You can cancel or change an order free of charge until it is packed, usually within one hour of ordering. Open the order in your account and choose "Cancel order" or "Edit address".

Once the parcel has left the warehouse it can no longer be cancelled; refuse the delivery or return it under the returns policy instead.`,
  },
  {
    id: "price-match",
    title: "Price match promise",
    content: `# Price match promise

If you find the same Brightleaf product cheaper at an authorised retailer within 14 days of your purchase, we refund the difference.

Send us a link or a photo of the lower price. Marketplace sellers, second-hand offers and flash sales that last less than 24 hours are excluded.`,
  },
  {
    id: "halo-lamp",
    title: "Halo floor lamp",
    content: `# Halo floor lamp

Halo is our flagship floor lamp: 160 cm tall, with a dimmable LED ring of 2200 lumens and colour temperatures from warm 2200 K to daylight 6500 K.

It runs on mains power (100 to 240 volts) and uses about 24 watts at full brightness. The base is solid oak or black walnut; the shade is recycled aluminium.

Halo pairs with the Brightleaf Home app over Wi-Fi and Bluetooth and has a physical touch dimmer on the stem.`,
  },
  {
    id: "orbit-lamp",
    title: "Orbit desk lamp",
    content: `# Orbit desk lamp

Orbit is a compact desk lamp with an adjustable arm and a built-in wireless phone charger (Qi, 10 watts) in the base.

Its battery lasts up to 12 hours at half brightness, so it also works as a portable reading light. A full charge over USB-C takes about three hours.

Orbit offers a focus mode with cool 5000 K light and a relax mode with warm 2700 K light.`,
  },
  {
    id: "ember-thermostat",
    title: "Ember smart thermostat",
    content: `# Ember smart thermostat

Ember is a smart thermostat that learns your schedule during the first week and then heats only when you are home.

It works with gas boilers, heat pumps and most electric heating systems using 24 V control wiring or OpenTherm. It does not support 230 V line-voltage baseboard heaters.

Households using Ember save on average 12 percent on heating bills according to our 2024 study of 3000 homes.`,
  },
  {
    id: "bulbs",
    title: "Replacing the LED module",
    content: `# Replacing the LED module

Brightleaf lamps use an integrated LED module rated for 25,000 hours, roughly 20 years of normal use.

If the module fails within the warranty period we replace it free of charge. After the warranty a replacement module costs 29 euros and clicks in without tools: twist the shade counter-clockwise, unplug the old module and push in the new one.

Standard E27 bulbs do not fit Brightleaf lamps.`,
  },
  {
    id: "wifi-setup",
    title: "Connecting a lamp to Wi-Fi",
    content: `# Connecting a lamp to Wi-Fi

Brightleaf devices connect to 2.4 GHz Wi-Fi networks only; 5 GHz-only networks are not supported.

## Pairing steps
1. Open the Brightleaf Home app and tap "Add device".
2. Hold the lamp's touch dimmer for five seconds until the light pulses blue.
3. Choose your network and enter the password.

## If pairing fails
Move the lamp closer to the router, check that the password has no typo and that the network name is visible. Guest networks with a login page cannot be used.`,
  },
  {
    id: "reset",
    title: "Factory reset",
    content: `# Factory reset

A factory reset removes the Wi-Fi settings, schedules and scenes from a device.

To reset a lamp, switch it off and on at the wall three times in a row; it flashes red twice to confirm. To reset an Ember thermostat, press and hold the dial for 15 seconds.

After a reset the device must be added again in the app.`,
  },
  {
    id: "voice",
    title: "Voice assistants and smart home platforms",
    content: `# Voice assistants and smart home platforms

Brightleaf lamps and the Ember thermostat work with Amazon Alexa, Google Assistant and Apple Home. Since firmware 3.0 all devices also support Matter, so they work with any Matter controller.

Link your account in the voice assistant's app under "Add skill" or "Works with Google". You can then say things like "turn the living room lamp to 40 percent".`,
  },
  {
    id: "firmware",
    title: "Firmware updates",
    content: `# Firmware updates

Devices update their firmware automatically at night between 2 am and 5 am local time, when they are switched off at the lamp but still connected to power.

You can see the installed version in the app under Device settings > About. Updates never reset your schedules or scenes. If you prefer, turn off automatic updates and install them manually.`,
  },
  {
    id: "app",
    title: "The Brightleaf Home app",
    content: `# The Brightleaf Home app

The free Brightleaf Home app runs on iOS 16 and Android 10 or newer. With it you can group lights into rooms, create scenes, set schedules and wake-up light routines.

Several people in a household can share a home: the owner invites them from Settings > Members. Everything keeps working locally over Bluetooth if your internet is down.`,
  },
  {
    id: "plus",
    title: "Brightleaf Plus membership",
    content: `# Brightleaf Plus membership

Brightleaf Plus costs 3.99 euros a month or 39 euros a year. Members get the four-year extended warranty, free express delivery, energy reports for the Ember thermostat and early access to new products.

You can cancel Plus at any time in your account; it stays active until the end of the paid period. There is a 30-day free trial for new members.`,
  },
  {
    id: "energy",
    title: "Energy use and saving tips",
    content: `# Energy use and saving tips

A Halo lamp at full brightness uses 24 watts; in standby it uses less than 0.3 watts. An evening of four hours costs about 2 cents at typical European electricity prices.

To save energy, use the adaptive brightness setting, which dims lamps automatically when there is enough daylight, and set schedules so lights turn off when you leave home.`,
  },
  {
    id: "installation",
    title: "Professional installation service",
    content: `# Professional installation service

In the Netherlands, Belgium and Germany a certified installer can fit your Ember thermostat for a flat fee of 89 euros, including checking the boiler wiring.

Book the installation at checkout or later from your order page. Installers work Monday to Saturday, and you choose a two-hour time slot.

Lamps do not need installation; they plug into a normal wall socket.`,
  },
  {
    id: "support",
    title: "Customer support hours and contact",
    content: `# Customer support

Our support team answers by chat and phone from Monday to Friday, 8 am to 8 pm CET, and on Saturdays from 10 am to 4 pm.

Call +31 20 555 0199 or start a chat in the app. Email to help@brightleaf.example is answered within one business day.

Support is available in English, Dutch, German and French.`,
  },
  {
    id: "stores",
    title: "Showrooms",
    content: `# Showrooms

You can see and try our lamps in our showrooms in Amsterdam (Prinsengracht 400), Berlin (Torstraße 120) and Antwerp (Meir 50).

Showrooms are open Tuesday to Sunday from 10 am to 6 pm. You can buy in the showroom and have the order delivered to your home at no extra cost.`,
  },
  {
    id: "recycling",
    title: "Recycling and take-back programme",
    content: `# Recycling and take-back

We take back any old lamp or thermostat, of any brand, when you buy a Brightleaf product. Print the free take-back label from your order page and send the old device in the new product's box.

Returned Brightleaf devices are refurbished or recycled; 92 percent of the materials are recovered. Our packaging is plastic-free and made of recycled cardboard.`,
  },
  {
    id: "gift-cards",
    title: "Gift cards",
    content: `# Gift cards

Digital gift cards are available from 25 to 500 euros and are delivered by email on the date you choose.

A gift card is valid for three years and can be used for several orders until the balance runs out. Gift cards cannot be exchanged for cash or used to buy other gift cards.`,
  },
  {
    id: "student",
    title: "Student and healthcare worker discount",
    content: `# Student discount

Students and healthcare workers get 15 percent off their first order. Verify your status with our partner page using your university or hospital email address, and you receive a one-time code.

The discount cannot be combined with other promotions or used on Brightleaf Plus.`,
  },
  {
    id: "business",
    title: "Business and volume orders",
    content: `# Business orders

Hotels, offices and architects ordering 20 or more devices get volume pricing and a dedicated account manager.

Business customers can pay by invoice, receive a VAT invoice automatically, and may request custom finishes in the company's colours with a lead time of six weeks. Contact business@brightleaf.example for a quote.`,
  },
  {
    id: "privacy",
    title: "Privacy and your data",
    content: `# Privacy and your data

Brightleaf stores only the data needed to run your devices: schedules, scenes and usage statistics. Data is stored in data centres in Frankfurt, Germany, and never sold to third parties.

Microphones are not built into any Brightleaf device. You can download all your data or delete your account from Settings > Privacy; deletion is completed within 30 days.`,
  },
  {
    id: "recall",
    title: "Safety notice: Orbit charging cable",
    content: `# Safety notice: Orbit charging cable

Some USB-C cables shipped with Orbit desk lamps produced between March and May 2024 may overheat when used with fast chargers above 30 watts.

Check the batch code printed on the cable: codes starting with OR24-03, OR24-04 or OR24-05 are affected. Stop using the cable and request a free replacement on our safety page; you can keep the lamp.`,
  },
  {
    id: "accessibility",
    title: "Accessibility",
    content: `# Accessibility

The Brightleaf Home app supports VoiceOver and TalkBack screen readers, dynamic text sizes and a high-contrast theme.

Lamps can be controlled without the app using the physical touch dimmer, and every function is available through voice assistants. Printed manuals are available in large print on request.`,
  },
  {
    id: "loyalty",
    title: "Leaf points loyalty programme",
    content: `# Leaf points

Every euro you spend earns one Leaf point. 100 points are worth 5 euros off your next order.

Points are added 30 days after delivery, once the return window has closed, and expire after two years. You also earn 50 points for writing a product review.`,
  },
  {
    id: "trade-in",
    title: "Trade-in offer",
    content: `# Trade-in offer

Trade in an older Brightleaf lamp bought before 2022 and get 30 percent off a new Halo or Orbit.

The trade-in value is paid as a discount code once we receive the old lamp. The old lamp must switch on, but scratches are fine.`,
  },
  {
    id: "careers",
    title: "Working at Brightleaf",
    content: `# Careers

Brightleaf employs 140 people in Amsterdam and Berlin, working in hardware engineering, software, design and customer care.

We offer hybrid work, 30 vacation days, a learning budget of 1500 euros a year and a free lamp for every new colleague. Open positions are listed on brightleaf.example/careers.`,
  },
];
