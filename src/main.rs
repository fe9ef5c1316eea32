use clap::Parser;

/// accrochage : fichier XML « accrochage certificateur » pour la Caisse des Dépôts.
#[derive(Parser)]
#[command(name = "accrochage", version, about)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
}
